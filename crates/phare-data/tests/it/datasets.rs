//! The bundled datasets are the files described in datasets/PROVENANCE.md, byte for byte, and they
//! have the structure their papers describe.

use phare_data::datasets::{DATASETS, info};
use phare_data::polars::prelude::*;
use phare_data::{Panel, load_dataset};

const PROVENANCE: &str = include_str!("../../../../datasets/PROVENANCE.md");

/// The SHA-256 recorded under the `## <file>` heading of PROVENANCE.md.
fn recorded_sha(file: &str) -> String {
    let section = PROVENANCE.split(&format!("## {file}\n")).nth(1).unwrap_or_else(|| panic!("no section for {file}"));
    let line = section.lines().find(|l| l.starts_with("- SHA-256:")).unwrap_or_else(|| panic!("no SHA-256 for {file}"));
    line.split('`').nth(1).unwrap().to_string()
}

#[test]
fn embedded_bytes_match_provenance_checksums() {
    for d in DATASETS {
        assert_eq!(d.sha256(), recorded_sha(d.file), "{} differs from PROVENANCE.md", d.file);
    }
}

#[test]
fn every_dataset_loads_with_its_documented_shape_and_roles() {
    for d in DATASETS {
        let df = d.load().unwrap();
        assert_eq!(df.shape(), d.shape, "{}", d.name);
        for role in d.roles.iter().filter(|r| !r.is_empty()) {
            assert!(df.column(role).is_ok(), "{}: suggested column {role} is missing", d.name);
        }
        assert!(d.codebook.starts_with("# "), "{}: codebook", d.name);
    }
}

#[test]
fn no_gpl_data_is_embedded() {
    assert!(DATASETS.iter().all(|d| !d.file.starts_with("gpl/") && !d.licence.contains("GPL")));
}

#[test]
fn mpdta_has_the_callaway_santanna_cohorts() {
    let df = load_dataset("mpdta").unwrap();
    let p = Panel::new(&df, "countyreal", "year").unwrap().with_cohort_column(&df, "first_treat", 0).unwrap();
    assert_eq!(p.n_units(), 500);
    assert_eq!(p.periods(), [2003, 2004, 2005, 2006, 2007]);
    assert!(p.is_balanced());
    let sizes: Vec<(Option<i64>, usize)> = p.cohort_sizes().into_iter().collect();
    assert_eq!(sizes, [(None, 309), (Some(2004), 20), (Some(2006), 40), (Some(2007), 131)]);
}

#[test]
fn prop99_has_one_treated_state_from_1989() {
    let df = load_dataset("prop99").unwrap();
    let p = Panel::new(&df, "state", "year").unwrap().with_treatment(&df, "treated").unwrap();
    assert_eq!(p.n_units(), 39);
    assert_eq!(p.periods().len(), 31);
    let sizes: Vec<(Option<i64>, usize)> = p.cohort_sizes().into_iter().collect();
    assert_eq!(sizes, [(None, 38), (Some(1989), 1)]);
    let ca = p.unit_position("California").expect("California is a unit");
    assert_eq!(p.cohorts().unwrap()[ca], Some(1989));
}

#[test]
fn nsw_experimental_difference_in_means() {
    // The raw experimental contrast in 1978 earnings, $1,794 in Dehejia and Wahba (1999, Table 3).
    let df = load_dataset("nsw_dw").unwrap();
    let m = df
        .lazy()
        .group_by([col("treat")])
        .agg([col("re78").mean()])
        .sort(["treat"], Default::default())
        .collect()
        .unwrap();
    let v: Vec<f64> = m.column("re78").unwrap().f64().unwrap().no_null_iter().collect();
    assert!((v[1] - v[0] - 1794.34).abs() < 0.01, "{}", v[1] - v[0]);
}

#[test]
fn dataset_info_is_found_by_name() {
    assert_eq!(info("wagepan").unwrap().roles[0], "nr");
}
