//! Regression discontinuity: every fixed-bandwidth case of the rdrobust reference (rdrobust 2.1.1
//! from PyPI, used as a black box by `reference/rd_generate.py`; values in
//! `reference/rd_reference.json`), on the Senate data (`datasets/gpl/`, read from disk, never
//! compiled in) and on SIMULATED data (`reference/rd_simulated.csv`, true effects in the JSON).

use phare_causal::rd::{Kernel, RegressionDiscontinuity, Vce};
use phare_core::Estimates;
use phare_data::polars::prelude::DataFrame;
use serde_json::Value;
use std::path::Path;

fn reference() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/rd_reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn data(which: &str) -> DataFrame {
    let path = match which {
        "senate" => concat!(env!("CARGO_MANIFEST_DIR"), "/../../datasets/gpl/rdrobust_senate.csv"),
        _ => concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/rd_simulated.csv"),
    };
    phare_data::read(Path::new(path), &phare_data::ReadOptions::default()).unwrap().0
}

/// The model for a reference call's arguments.
fn model(args: &Value) -> RegressionDiscontinuity {
    let s = |k: &str| args[k].as_str().unwrap();
    let mut m = RegressionDiscontinuity::new(s("y"), s("x"));
    let pair = |v: &Value| match v {
        Value::Array(a) => (a[0].as_f64().unwrap(), a[1].as_f64().unwrap()),
        v => (v.as_f64().unwrap(), v.as_f64().unwrap()),
    };
    if !args["h"].is_null() {
        let (l, r) = pair(&args["h"]);
        m = m.bandwidths(l, r);
        if !args["rho"].is_null() {
            let rho = args["rho"].as_f64().unwrap();
            m = m.bias_bandwidths(l / rho, r / rho);
        }
    }
    if !args["b"].is_null() {
        let (l, r) = pair(&args["b"]);
        m = m.bias_bandwidths(l, r);
    }
    if let Some(k) = args["kernel"].as_str() {
        m = m.kernel(k.parse::<Kernel>().unwrap());
    }
    if let Some(v) = args["vce"].as_str() {
        m = m.vce(v.parse::<Vce>().unwrap());
    }
    if let Some(d) = args["fuzzy"].as_str() {
        m = m.fuzzy(d);
    }
    if let Some(w) = args["weights"].as_str() {
        m = m.weights(w);
    }
    if let Some(nu) = args["deriv"].as_u64() {
        m = m.deriv(nu as usize);
    }
    if let Some(p) = args["p"].as_u64() {
        m = m.order(p as usize);
    }
    if let Some(q) = args["q"].as_u64() {
        m = m.bias_order(q as usize);
    }
    if let Some(c) = args["c"].as_f64() {
        m = m.cutoff(c);
    }
    m
}

#[test]
fn every_fixed_bandwidth_case_matches_rdrobust() {
    let r = reference();
    let mut checked = Vec::new();
    for (name, case) in r["rdrobust"].as_object().unwrap() {
        let args = &case["args"];
        // Fixed bandwidths, without covariates or clusters (not implemented yet).
        if args["h"].is_null() || !args["covs"].is_null() || !args["cluster"].is_null() {
            continue;
        }
        let df = data(case["data"].as_str().unwrap());
        let fit = model(args).fit(&df).unwrap_or_else(|e| panic!("{name}: {e}"));
        let res = &case["result"];
        let tidy = fit.tidy();
        for (term, key) in
            [("Conventional", "conventional"), ("Bias-corrected", "bias_corrected"), ("Robust", "robust")]
        {
            let row = tidy.row(term).unwrap();
            let (est, se) = (res["coef"][key].as_f64().unwrap(), res["se"][key].as_f64().unwrap());
            assert!(
                (row.estimate - est).abs() <= 1e-6 * est.abs().max(1.0),
                "{name} {term}: {} vs {est}",
                row.estimate
            );
            assert!((row.std_error - se).abs() <= 1e-6 * se, "{name} {term} se: {} vs {se}", row.std_error);
            let ci = &res["ci"][key];
            assert!((row.conf_low - ci[0].as_f64().unwrap()).abs() <= 1e-5 * se, "{name} {term} ci");
            assert!((row.conf_high - ci[1].as_f64().unwrap()).abs() <= 1e-5 * se, "{name} {term} ci");
        }
        let g = fit.glance();
        let get = |k: &str| g.get(k).unwrap().to_string();
        assert_eq!(get("n_h_left"), res["N_h"][0].to_string(), "{name}");
        assert_eq!(get("n_h_right"), res["N_h"][1].to_string(), "{name}");
        assert_eq!(get("n_left"), res["N"][0].to_string(), "{name}");
        checked.push(name.clone());
    }
    assert!(checked.len() >= 10, "{checked:?}");
}
