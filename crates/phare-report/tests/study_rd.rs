//! Regression-discontinuity study files end to end: the House elections study reproduces the
//! estimators' numbers in its brief and folder, with the RD figures and checks; bad specs get one
//! clear error.

use phare_causal::rd::{BwSelect, DensityTest, RegressionDiscontinuity};
use phare_core::{ErrorKind, Estimates};
use phare_report::study::{StudySpec, run, run_file};
use std::path::{Path, PathBuf};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/studies/house_elections_rd.toml")
}

#[test]
fn the_house_study_reports_the_rd_estimates_and_checks() {
    let run = run_file(&example()).unwrap();
    let house = phare_data::load_dataset("close_elections_house").unwrap();
    // The headline: the conventional estimate with the robust interval, as the estimator gives them.
    let direct = RegressionDiscontinuity::new("score", "demvoteshare").cutoff(0.5).fit(&house).unwrap();
    let robust = direct.tidy().row("Robust").cloned().unwrap();
    let h = &run.brief.headline;
    assert_eq!(h.estimate, direct.estimate());
    assert_eq!((h.conf_low, h.conf_high, h.std_error), (robust.conf_low, robust.conf_high, robust.std_error));
    assert_eq!(h.baseline, Some(direct.left_limit()));
    // The other estimators, in order.
    let cer = RegressionDiscontinuity::new("score", "demvoteshare")
        .cutoff(0.5)
        .bwselect(BwSelect::CerRd)
        .fit(&house)
        .unwrap();
    assert_eq!(run.brief.robustness[1].estimate, cer.estimate());
    assert!(cer.bandwidths().0 < direct.bandwidths().0);
    let labels: Vec<&str> = run.brief.robustness.iter().map(|r| r.estimator.as_str()).collect();
    assert_eq!(labels, ["Local linear RD (mserd)", "Local linear RD (cerrd)", "Local quadratic RD (mserd)"]);
    // Figures and checks.
    let names: Vec<&str> = run.brief.figures.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["rd_plot", "bandwidths", "estimators"]);
    let checks: Vec<&str> = run.brief.checks.iter().map(|c| c.name.as_str()).collect();
    for c in [
        "Density of the score at the cut-off",
        "Placebo cut-offs",
        "Half and double the bandwidth",
        "Agreement across estimators",
    ] {
        assert!(checks.contains(&c), "{c} missing from {checks:?}");
    }
    let density = run.brief.checks.iter().find(|c| c.name.starts_with("Density")).unwrap();
    let p = DensityTest::new("demvoteshare").cutoff(0.5).fit(&house).unwrap().p_value();
    assert!(
        density.result.contains(&format!("p = {:.2}", p)) || density.result.contains("p = 0"),
        "{}",
        density.result
    );
    // The folder.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("house");
    let files = run.write(&out).unwrap();
    for f in ["brief.html", "figures/rd_plot.svg", "figures/bandwidths.svg", "tidy.csv", "manifest.json"] {
        assert!(files.iter().any(|x| x == f) && out.join(f).is_file(), "{f}");
    }
    let md = run.brief.to_markdown().markdown;
    assert!(md.contains("Sharp regression discontinuity") && !md.contains("NaN"), "{md}");
    assert_eq!(run.brief.reproducibility.seed, None);
}

#[test]
fn the_rd_study_in_french_with_balance_and_fuzzy_refusals() {
    let text = std::fs::read_to_string(example())
        .unwrap()
        .replace("lang = \"en\"", "lang = \"fr\"")
        .replace("cutoff = 0.5\n", "cutoff = 0.5\nbalance = [\"lagdemvoteshare\"]\n");
    let spec = StudySpec::from_toml(&text, Path::new("house_fr.toml")).unwrap();
    let run = run(&spec, Path::new("."), "phare run house_fr.toml").unwrap();
    let checks: Vec<&str> = run.brief.checks.iter().map(|c| c.name.as_str()).collect();
    assert!(checks.contains(&"Équilibre des covariables prédéterminées"), "{checks:?}");
    assert!(run.brief.to_markdown().markdown.contains("Régression sur discontinuité nette"));
}

#[test]
fn bad_rd_studies_get_one_clear_error() {
    let base = std::fs::read_to_string(example()).unwrap();
    let cases: [(&str, &str, &str, ErrorKind, &str); 6] = [
        ("no score", "running = \"demvoteshare\"\n", "", ErrorKind::InvalidArgument, "needs the score"),
        (
            "mixing designs",
            "bwselect = \"cerrd\"",
            "bwselect = \"cerrd\"\n[[estimators]]\nmethod = \"cs\"",
            ErrorKind::InvalidArgument,
            "`rd` estimators only",
        ),
        ("unknown selector", "bwselect = \"cerrd\"", "bwselect = \"ik\"", ErrorKind::InvalidArgument, "mserd"),
        ("negative h", "p = 2", "h = -1", ErrorKind::InvalidArgument, "positive"),
        ("cut-off outside", "cutoff = 0.5", "cutoff = 5", ErrorKind::Design, "outside the range"),
        ("a DiD key", "p = 2", "control = \"never\"", ErrorKind::InvalidArgument, "rd"),
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
