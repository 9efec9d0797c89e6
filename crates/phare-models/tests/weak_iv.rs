//! Weak-instrument statistics of 2SLS (Cragg–Donald F, Kleibergen–Paap rk Wald F) against
//! linearmodels 7.1 on Mroz, with one and two endogenous regressors, under iid, HC1, clusters and
//! with absorbed fixed effects (`reference/kp_generate.py` wrote `reference/kp_reference.json`).

use phare_core::{Estimates, GlanceValue};
use phare_data::load_dataset;
use phare_models::{Feols, VcovSpec};

const REFERENCE: &str = include_str!("reference/kp_reference.json");

#[test]
fn cragg_donald_and_kleibergen_paap_match_linearmodels() {
    let all: serde_json::Value = serde_json::from_str(REFERENCE).unwrap();
    let df = load_dataset("mroz").unwrap();
    let two = "lwage ~ exper + expersq | educ + nwifeinc ~ fatheduc + motheduc + huseduc";
    let one = "lwage ~ exper + expersq | educ ~ fatheduc + motheduc";
    let with_fe = "lwage ~ exper + expersq | age | educ + nwifeinc ~ fatheduc + motheduc + huseduc";
    let cluster = || VcovSpec::Crv1(vec!["age".into()]);
    for (id, formula, vcov) in [
        ("A_iid", two, VcovSpec::Iid),
        ("A_hc", two, VcovSpec::Hc1),
        ("B_cl", two, cluster()),
        ("C_iid", one, VcovSpec::Iid),
        ("C_hc", one, VcovSpec::Hc1),
        ("C_cl", one, cluster()),
        ("D_iid", with_fe, VcovSpec::Iid),
        ("D_hc", with_fe, VcovSpec::Hc1),
    ] {
        let c = &all["cases"][id];
        // Case D puts age dummies among the instruments: keep every observation (no singleton drop).
        let fit = Feols::new(formula).unwrap().vcov(vcov).drop_singletons(false).fit(&df).unwrap();
        assert_eq!(fit.nobs() as u64, c["n"].as_u64().unwrap(), "{id}");
        let (cd, kp) = fit.weak_iv().unwrap();
        let (cd_want, kp_want) =
            (c["cragg_donald_f"].as_f64().unwrap(), c["kleibergen_paap_rk_wald_f"].as_f64().unwrap());
        assert!((cd - cd_want).abs() <= 1e-8 * cd_want, "{id}: Cragg–Donald {cd} vs {cd_want}");
        let kp = kp.unwrap();
        assert!((kp - kp_want).abs() <= 1e-8 * kp_want, "{id}: Kleibergen–Paap {kp} vs {kp_want}");
        assert_eq!(fit.glance().get("kleibergen_paap_f"), Some(&GlanceValue::Float(kp)), "{id}");
    }
}

#[test]
fn with_one_endogenous_regressor_kleibergen_paap_is_the_robust_first_stage_f() {
    let df = load_dataset("mroz").unwrap();
    for vcov in [VcovSpec::Hc1, VcovSpec::Crv1(vec!["age".into()]), VcovSpec::Iid] {
        let fit =
            Feols::new("lwage ~ exper | educ ~ fatheduc + motheduc + huseduc").unwrap().vcov(vcov).fit(&df).unwrap();
        let (_, kp) = fit.weak_iv().unwrap();
        let first = fit.first_stage_f()[0].1;
        let kp = kp.unwrap();
        assert!((kp - first).abs() <= 1e-9 * first, "{kp} vs first-stage F {first}");
    }
}

#[test]
fn kleibergen_paap_is_not_claimed_under_two_way_clustering() {
    let df = load_dataset("mroz").unwrap();
    let fit = Feols::new("lwage ~ exper | educ ~ fatheduc + motheduc")
        .unwrap()
        .vcov(VcovSpec::Crv1(vec!["age".into(), "city".into()]))
        .fit(&df)
        .unwrap();
    let (cd, kp) = fit.weak_iv().unwrap();
    assert!(cd.is_finite() && kp.is_none());
    assert!(fit.glance().get("kleibergen_paap_f").is_none());
}
