//! Study files end to end: the bundled minimum-wage study gives the published numbers and a brief;
//! each bad input gets one clear error and leaves no output behind.

use phare_core::ErrorKind;
use phare_report::study::{StudySpec, run, run_file};
use std::path::{Path, PathBuf};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/studies").join(name)
}

/// A study on mpdta written into `dir`, with `edit` applied to the TOML text.
fn study_in(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    let text = std::fs::read_to_string(example("mpdta_minimum_wage.toml")).unwrap();
    let path = dir.join("study.toml");
    std::fs::write(&path, edit(text)).unwrap();
    path
}

/// Nothing but `keep` in `dir`: no output folder, no temporary folder left behind.
fn assert_nothing_left(dir: &Path, keep: &[&str]) {
    let left: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn the_minimum_wage_study_gives_the_published_estimates_and_a_complete_folder() {
    let run = run_file(&example("mpdta_minimum_wage.toml")).unwrap();
    // Callaway and Sant'Anna (2021) / the did package: simple aggregation −0.0400; the headline
    // is that estimator, its interval from the bootstrap standard error.
    let h = &run.brief.headline;
    assert!((h.estimate - -0.0400).abs() < 5e-5, "{}", h.estimate);
    assert!((h.std_error - 0.0120).abs() < 0.002, "bootstrap SE {}", h.std_error);
    assert_eq!(run.results.len(), 5);
    assert_eq!(run.brief.robustness.len(), 5);
    // The dynamic aggregation behind the chart: overall −0.0772 in the paper.
    let (dynamic, crit) = run.results[0].event_study.as_ref().unwrap();
    assert!((dynamic.row("ATT").unwrap().estimate - -0.0772).abs() < 5e-5);
    assert!(crit.unwrap() > 1.96, "uniform band wider than pointwise");
    let answer = run.brief.answer();
    assert!(answer.starts_with("Raising the state minimum wage changed teen employment by \u{2212}0.040"), "{answer}");

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("brief");
    let files = run.write(&out).unwrap();
    for f in [
        "brief.html",
        "brief.md",
        "figures/event_study.svg",
        "figures/trends.svg",
        "tidy.csv",
        "tidy.parquet",
        "glance.csv",
        "study.toml",
        "manifest.json",
    ] {
        assert!(files.iter().any(|x| x == f), "{f} missing from {files:?}");
        assert!(out.join(f).is_file(), "{f} not written");
    }
    let html = std::fs::read_to_string(out.join("brief.html")).unwrap();
    assert!(html.contains("<svg") && !html.contains("<script"));
    let tidy = std::fs::read_to_string(out.join("tidy.csv")).unwrap();
    assert!(tidy.lines().next().unwrap().starts_with("estimator,term,estimate"));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["seed"], 20_261_129);
    // The study file is recorded with its hash, and the data's hash too.
    assert!(run.brief.reproducibility.inputs.iter().any(|(n, h)| n == "mpdta_minimum_wage.toml" && h.len() == 64));
    // Running again replaces the folder written by phare.
    run.write(&out).unwrap();
    assert_nothing_left(dir.path(), &["brief"]);
}

#[test]
fn the_same_seed_gives_the_same_brief() {
    let a = run_file(&example("mpdta_salaire_minimum.toml")).unwrap();
    let b = run_file(&example("mpdta_salaire_minimum.toml")).unwrap();
    assert_eq!(a.brief.to_html(), b.brief.to_html());
    let fr = a.brief.answer();
    assert!(fr.contains("IC à 95\u{202F}%") && fr.contains(",0"), "{fr}");
}

#[test]
fn bad_study_files_get_one_clear_error_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // (what, text replaced in the example study, its replacement, error kind, text of the message)
    let cases = [
        ("typo in a key", "title =", "titel =", ErrorKind::FileFormat, "unknown field `titel`"),
        (
            "unknown estimator",
            "method = \"sa\"",
            "method = \"synth\"",
            ErrorKind::InvalidArgument,
            "accepted values are cs, sa, bjs, gardner, twfe, 2x2",
        ),
        (
            "role naming a missing column",
            "outcome = \"lemp\"",
            "outcome = \"lempp\"",
            ErrorKind::ColumnNotFound,
            "lempp",
        ),
        ("missing data file", "dataset = \"mpdta\"", "path = \"nowhere.csv\"", ErrorKind::Io, "nowhere.csv"),
    ];
    for (what, from, to, kind, needle) in cases {
        let path = study_in(dir.path(), |s| s.replacen(from, to, 1));
        let err = run_file(&path).and_then(|r| r.write(&out).map(|_| ())).unwrap_err();
        assert_eq!(err.kind(), kind, "{what}: {err}");
        assert!(err.to_string().contains(needle), "{what}: {err}");
        // `phare validate` finds the same problem without running.
        let spec = StudySpec::from_path(&path);
        let checked = spec.and_then(|s| s.check(dir.path()));
        assert!(checked.is_err(), "{what}: validate accepted it");
        assert_nothing_left(dir.path(), &["study.toml"]);
    }
    let missing = run_file(&dir.path().join("absent.toml")).unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::Io);
    assert!(missing.to_string().contains("absent.toml"), "{missing}");
}

#[test]
fn an_unwritable_or_foreign_output_folder_is_refused_and_left_intact() {
    let dir = tempfile::tempdir().unwrap();
    let spec = StudySpec::from_path(&example("mpdta_minimum_wage.toml")).unwrap();
    let mut spec = spec;
    spec.inference.bootstrap = None;
    spec.estimators.truncate(1);
    let run = run(&spec, dir.path(), "test").unwrap();
    // The parent is a file: nothing can be created under it.
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    let err = run.write(&blocker.join("out")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io, "{err}");
    // A folder with someone else's files is not replaced.
    let foreign = dir.path().join("mine");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "keep me").unwrap();
    let err = run.write(&foreign).unwrap_err();
    assert!(err.to_string().contains("phare did not write it"), "{err}");
    assert_eq!(std::fs::read_to_string(foreign.join("notes.txt")).unwrap(), "keep me");
    assert_nothing_left(dir.path(), &["file", "mine"]);
}

#[test]
fn a_script_column_name_is_text_in_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let name = "<script>document.title='pwned'</script>";
    let csv = phare_data::datasets::info("mpdta").unwrap().bytes;
    let text = String::from_utf8(csv.to_vec()).unwrap().replacen("lemp", name, 1);
    std::fs::write(dir.path().join("data.csv"), text).unwrap();
    let path = study_in(dir.path(), |s| {
        s.replacen("dataset = \"mpdta\"", "path = \"data.csv\"", 1)
            .replacen("outcome = \"lemp\"", &format!("outcome = \"{name}\""), 1)
            .replacen("outcome_label = \"teen employment\"\n", "", 1)
    });
    let run = run_file(&path).unwrap();
    let html = run.brief.to_html();
    assert!(!html.contains("<script"), "the column name became markup");
    assert!(html.contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"));
    let md = run.brief.to_markdown().markdown;
    assert!(!md.contains("<script"));
    for f in &run.brief.figures {
        assert!(!f.svg.contains("<script"), "{}", f.name);
    }
}

#[test]
fn the_brief_text_is_pinned() {
    // The whole Markdown brief of the bundled studies (English and French): wording, number
    // formatting, escaping and the reproducibility annex. Seeds are fixed, so the bootstrap
    // numbers are too; a change here is a change users see.
    for (name, file) in [("brief_en", "mpdta_minimum_wage.toml"), ("brief_fr", "mpdta_salaire_minimum.toml")] {
        let run = run_file(&example(file)).unwrap();
        insta::assert_snapshot!(name, run.brief.to_markdown().markdown);
    }
}
