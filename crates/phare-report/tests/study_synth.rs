//! Synthetic-control study files end to end: the Proposition 99 study reproduces the estimators'
//! numbers in its brief and folder; bad specs get one clear error.

use phare_causal::synth::{SdidMethod, SdidVariance, SyntheticControl, SyntheticDid};
use phare_core::{ErrorKind, Seed};
use phare_report::study::{StudySpec, run, run_file};
use std::path::{Path, PathBuf};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/studies/prop99_tobacco.toml")
}

#[test]
fn the_prop99_study_reports_the_estimators_and_the_synthetic_checks() {
    let run = run_file(&example()).unwrap();
    let prop99 = phare_data::load_dataset("prop99").unwrap();
    // The headline is synthetic DiD with 500 placebo replications and the study's seed: the same
    // numbers as the estimator called directly.
    let direct = SyntheticDid::new("cigsale", "state", "year")
        .treated("California", 1989)
        .replications(500)
        .seed(Seed(20_261_129))
        .fit(&prop99)
        .unwrap();
    let h = &run.brief.headline;
    assert_eq!((h.estimate, h.std_error), (direct.att(), direct.std_error()));
    assert!((h.estimate - -15.60383).abs() < 1e-4);
    // Robustness rows: sdid, sc (placebo SE), ascm (no SE), did.
    let labels: Vec<&str> = run.brief.robustness.iter().map(|r| r.estimator.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Synthetic difference-in-differences",
            "Synthetic control",
            "Augmented synthetic control (ridge)",
            "Difference-in-differences"
        ]
    );
    let sc = SyntheticControl::new("cigsale", "state", "year").treated("California", 1989).fit(&prop99).unwrap();
    assert_eq!(run.brief.robustness[1].estimate, sc.att());
    assert!(run.brief.robustness[2].std_error.is_nan());
    let did = SyntheticDid::new("cigsale", "state", "year")
        .treated("California", 1989)
        .method(SdidMethod::Did)
        .variance(SdidVariance::None)
        .fit(&prop99)
        .unwrap();
    assert!((run.brief.robustness[3].estimate - did.att()).abs() < 1e-12);
    // Figures and checks specific to synthetic controls.
    let names: Vec<&str> = run.brief.figures.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["paths", "gaps", "weights", "time_weights", "estimators"]);
    let checks: Vec<&str> = run.brief.checks.iter().map(|c| c.name.as_str()).collect();
    for c in [
        "Placebos in space (permutation test)",
        "Leave one donor out",
        "Placebo in time",
        "Agreement across estimators",
    ] {
        assert!(checks.contains(&c), "{c} missing from {checks:?}");
    }
    let perm = run.brief.checks.iter().find(|c| c.name.starts_with("Placebos in space")).unwrap();
    assert!(perm.result.starts_with("rank 3 of 39"), "{}", perm.result);
    // The answer sentence compares with the counterfactual, and an estimator without a standard
    // error shows a dash, not NaN.
    let answer = run.brief.answer();
    assert!(answer.contains("the comparison predicts without the policy"), "{answer}");
    let md = run.brief.to_markdown().markdown;
    assert!(!md.contains("NaN") && md.contains("| — |"), "{md}");
    // The folder: brief, figures, tables, manifest.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("prop99");
    let files = run.write(&out).unwrap();
    for f in [
        "brief.html",
        "figures/gaps.svg",
        "figures/weights.svg",
        "figures/time_weights.svg",
        "tidy.csv",
        "manifest.json",
    ] {
        assert!(files.iter().any(|x| x == f) && out.join(f).is_file(), "{f}");
    }
    assert_eq!(run.brief.reproducibility.seed, Some(20_261_129));
}

#[test]
fn the_study_in_french() {
    let text = std::fs::read_to_string(example()).unwrap().replace("lang = \"en\"", "lang = \"fr\"");
    let spec = StudySpec::from_toml(&text, Path::new("prop99_fr.toml")).unwrap();
    let run = run(&spec, Path::new("."), "phare run prop99_fr.toml").unwrap();
    let answer = run.brief.answer();
    assert!(answer.contains("IC à 95\u{202F}%") && answer.contains("prédite sans la mesure"), "{answer}");
    let perm = run.brief.checks.iter().find(|c| c.name.starts_with("Placebos dans l'espace")).unwrap();
    assert!(perm.result.starts_with("rang 3 sur 39"), "{}", perm.result);
}

#[test]
fn bad_synthetic_studies_get_one_clear_error() {
    let base = std::fs::read_to_string(example()).unwrap();
    let cases: [(&str, &str, &str, ErrorKind, &str); 6] = [
        ("mixing designs", "method = \"did\"", "method = \"cs\"", ErrorKind::InvalidArgument, "cannot mix them"),
        ("no start", "treat_start = 1989\n", "", ErrorKind::InvalidArgument, "treat_start"),
        (
            "bootstrap for sc",
            "method = \"sc\"\n",
            "method = \"sc\"\nse = \"bootstrap\"\n",
            ErrorKind::InvalidArgument,
            "placebos in space",
        ),
        (
            "predictors for sdid",
            "headline = true\n",
            "headline = true\npredictors = [\"cigsale@1980\"]\n",
            ErrorKind::InvalidArgument,
            "sc and ascm",
        ),
        (
            "bad predictor",
            "method = \"sc\"\n",
            "method = \"sc\"\npredictors = [\"cigsale@19x\"]\n",
            ErrorKind::InvalidArgument,
            "column@1975",
        ),
        (
            "treated unit missing",
            "treated = [\"California\"]",
            "treated = [\"Californie\"]",
            ErrorKind::InvalidValue,
            "did you mean `California`",
        ),
    ];
    for (what, from, to, kind, needle) in cases {
        assert!(base.contains(from), "{what}: the example changed");
        let text = base.replacen(from, to, 1);
        let err =
            StudySpec::from_toml(&text, Path::new("s.toml")).and_then(|s| run(&s, Path::new("."), "test")).unwrap_err();
        assert_eq!(err.kind(), kind, "{what}: {err}");
        assert!(err.to_string().contains(needle), "{what}: {err}");
    }
}
