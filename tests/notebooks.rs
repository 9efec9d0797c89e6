//! Keeps the notebooks alive: every notebook under `examples/notebooks/` has a twin test,
//! `tests/notebook_<name>.rs`, generated from its code cells and run by `cargo test`. This test
//! fails when a twin no longer matches its notebook; `PHARE_UPDATE_TWINS=1 cargo test --test
//! notebooks` rewrites the twins.
//!
//! The generation: evcxr commands (lines starting with `:`) are left out; the cells are pasted in
//! order into one test function returning a `Result`, so `?` works as in evcxr; a cell whose last
//! line is an expression (no `;`, not a block) displays it in the notebook, and the twin calls
//! `show(&(…))`, which renders it through the same `Notebook` display and checks the framing.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The twin of a notebook's code cells.
fn twin(name: &str, notebook: &serde_json::Value) -> String {
    let mut body = String::new();
    let cells = notebook["cells"].as_array().expect("cells");
    for (i, cell) in cells.iter().enumerate().filter(|(_, c)| c["cell_type"] == "code") {
        let source: String = cell["source"].as_array().expect("source").iter().filter_map(|l| l.as_str()).collect();
        let lines: Vec<&str> = source.lines().filter(|l| !l.trim_start().starts_with(':')).collect();
        if lines.iter().all(|l| l.trim().is_empty()) {
            continue;
        }
        body.push_str(&format!("    // cell {i}\n"));
        let last = lines.iter().rposition(|l| !l.trim().is_empty()).unwrap_or(0);
        for (k, line) in lines.iter().enumerate() {
            let t = line.trim_end();
            let displayed = k == last && !t.ends_with(';') && !t.ends_with('}') && !t.trim_start().starts_with("//");
            if displayed {
                let indent = &t[..t.len() - t.trim_start().len()];
                body.push_str(&format!("    {indent}show(&({}));\n", t.trim_start()));
            } else if t.is_empty() {
                body.push('\n');
            } else {
                body.push_str(&format!("    {t}\n"));
            }
        }
    }
    format!(
        "//! GENERATED from examples/notebooks/{name}.ipynb by tests/notebooks.rs: do not edit by hand.\n\
         //! Regenerate with `PHARE_UPDATE_TWINS=1 cargo test --test notebooks`.\n\
         #![allow(unused_imports, unused_variables, clippy::all)]\n\n\
         /// What evcxr does with a cell's last value: display it through `Notebook`.\n\
         #[rustfmt::skip]\n\
         fn show<T: phare::prelude::Notebook + ?Sized>(value: &T) {{\n\
         \x20   let out = value.evcxr_content();\n\
         \x20   assert!(out.starts_with(\"EVCXR_BEGIN_CONTENT text/plain\\n\"), \"{{out}}\");\n\
         \x20   assert!(out.contains(\"EVCXR_BEGIN_CONTENT text/html\\n\"), \"{{out}}\");\n\
         }}\n\n\
         #[test]\n\
         #[rustfmt::skip]\n\
         fn {name}() -> Result<(), Box<dyn std::error::Error>> {{\n\
         {body}\
         \x20   Ok(())\n\
         }}\n"
    )
}

fn notebooks() -> Vec<(String, PathBuf)> {
    let dir = root().join("examples/notebooks");
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .expect("examples/notebooks")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ipynb"))
        .map(|p| (p.file_stem().expect("stem").to_string_lossy().into_owned(), p))
        .collect();
    out.sort();
    out
}

#[test]
fn every_notebook_has_an_up_to_date_twin() {
    let list = notebooks();
    assert!(list.len() >= 2, "expected the quickstart and the mpdta notebooks, found {list:?}");
    let update = std::env::var("PHARE_UPDATE_TWINS").is_ok();
    for (name, path) in list {
        let nb: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        // Each notebook starts with the single `:dep` cell the docs describe.
        let first_code = nb["cells"].as_array().unwrap().iter().find(|c| c["cell_type"] == "code").unwrap();
        let dep: String = first_code["source"].as_array().unwrap().iter().filter_map(|l| l.as_str()).collect();
        assert_eq!(dep.trim(), r#":dep phare = { path = "../..", features = ["notebook"] }"#, "{name}");
        let want = twin(&name, &nb);
        let file = root().join("tests").join(format!("notebook_{name}.rs"));
        if update {
            std::fs::write(&file, &want).unwrap();
        }
        let have = std::fs::read_to_string(&file).unwrap_or_default();
        assert!(
            have == want,
            "{} is out of date with {}: run PHARE_UPDATE_TWINS=1 cargo test --test notebooks",
            file.display(),
            Path::new("examples/notebooks").join(format!("{name}.ipynb")).display()
        );
    }
}
