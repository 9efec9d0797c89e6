//! The brief in a real browser: headless Chromium (Debian's `chromium`) loads the HTML brief of a
//! study whose outcome column is named `<script>…</script>`, and the DOM it builds is checked: the
//! page renders, shows the headline numbers, and shows the column name as text (no script element,
//! the script did not run).
//!
//! `.ci/run` installs Chromium when it is missing and sets `PHARE_REQUIRE_BROWSER=1`, which makes
//! a missing browser a failure. Elsewhere (a fresh machine with only the Rust toolchain) the test
//! says it was skipped. `PHARE_CHROMIUM` points at another binary.
//!
//! To refresh the screenshot in docs/: `PHARE_SCREENSHOT=docs/brief-screenshot.png cargo test -p
//! phare-report --test browser`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("PHARE_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Runs headless Chromium on `page` with `extra` arguments; returns standard output.
fn headless(browser: &Path, profile: &Path, page: &Path, extra: &[&str]) -> String {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("start chromium");
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 DOM")
}

#[test]
fn the_brief_renders_in_headless_chromium_with_the_script_column_as_text() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var("PHARE_REQUIRE_BROWSER").is_err(),
            "PHARE_REQUIRE_BROWSER is set but no Chromium was found (apt-get install chromium)"
        );
        eprintln!("skipped: no Chromium on this machine (CI installs it; see .ci/run)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let name = "<script>document.title='pwned'</script>";
    let csv = phare_data::datasets::info("mpdta").unwrap().bytes;
    let text = String::from_utf8(csv.to_vec()).unwrap().replacen("lemp", name, 1);
    std::fs::write(dir.path().join("data.csv"), text).unwrap();
    let spec = format!(
        r#"title = "Minimum wage and teen employment"
policy = "Raising the state minimum wage"
[data]
path = "data.csv"
[roles]
outcome = "{name}"
outcome_scale = "log"
unit = "countyreal"
time = "year"
cohort = "first_treat"
[[estimators]]
method = "cs"
[[estimators]]
method = "twfe"
"#
    );
    std::fs::write(dir.path().join("study.toml"), spec).unwrap();
    let run = phare_report::study::run_file(&dir.path().join("study.toml")).unwrap();
    let out = dir.path().join("out");
    run.write(&out).unwrap();
    let page = out.join("brief.html");
    let profile = dir.path().join("profile");

    let dom = headless(&browser, &profile, &page, &["--dump-dom", "--virtual-time-budget=2000"]);
    // It rendered the brief: the title, the headline numbers, the charts.
    assert!(dom.contains("Minimum wage and teen employment"), "{dom}");
    let h = &run.brief.headline;
    assert!((h.estimate - -0.0400).abs() < 5e-5, "published simple ATT");
    let lang = phare_report::Lang::En;
    assert!(dom.contains(&lang.signed(h.estimate, 3)), "headline estimate missing");
    assert!(dom.contains(&lang.interval(h.conf_low, h.conf_high, 3)), "headline interval missing");
    assert!(dom.matches("<svg").count() >= 2, "charts missing");
    // The column name is text: escaped in the serialised DOM, never an element, never run.
    assert!(dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"), "column name not shown as text");
    assert!(!dom.contains("<script"), "a script element exists in the DOM");
    assert!(dom.contains("<title>Minimum wage and teen employment</title>"), "the title changed: the script ran");

    if let Ok(shot) = std::env::var("PHARE_SCREENSHOT") {
        let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(shot);
        headless(
            &browser,
            &profile,
            &page,
            &[&format!("--screenshot={}", target.display()), "--window-size=1100,2600"],
        );
        assert!(target.is_file());
    }
}
