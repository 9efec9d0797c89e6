//! Identities on random data for panels, aggregation and the matrix boundary. Random data come from
//! a fixed-seed generator, so failures reproduce.

use phare_core::SimRng;
use phare_data::matrix::{DesignMatrix, MissingPolicy};
use phare_data::polars::prelude::*;
use phare_data::{AggregateOptions, AggregateSpec, Measure, Panel, Stat, aggregate, aggregate_with};
use std::collections::HashMap;

#[test]
fn aggregation_matches_a_direct_computation() {
    let mut rng = SimRng::new(7);
    let n = 20_000;
    let units: Vec<String> = (0..n).map(|_| format!("{:05}", rng.below(40))).collect();
    let years: Vec<i64> = (0..n).map(|_| 2015 + rng.below(6) as i64).collect();
    let x: Vec<Option<f64>> =
        (0..n).map(|_| if rng.uniform() < 0.05 { None } else { Some(rng.uniform() * 100.0 - 20.0) }).collect();
    let w: Vec<f64> = (0..n).map(|_| rng.uniform() * 3.0).collect();
    let df = df! { "commune" => &units, "year" => &years, "x" => &x, "w" => &w }.unwrap();

    let spec = AggregateSpec::new("commune", "year")
        .measure(Measure::new("x", Stat::Sum))
        .measure(Measure::new("x", Stat::Mean))
        .measure(Measure::new("x", Stat::Count))
        .measure(Measure::new("x", Stat::Max))
        .measure(Measure::new("x", Stat::WeightedMean("w".into())));
    let out = aggregate(df.clone().lazy(), &spec).unwrap();
    // Small batches exercise the merging of partial aggregates; the result is the same up to
    // summation order.
    let batched = aggregate_with(df.lazy(), &spec, &AggregateOptions { batch_rows: 997 }).unwrap();
    assert_eq!(batched.shape(), out.shape());
    for name in ["n", "x_sum", "x_mean", "x_count", "x_max", "x_wmean"] {
        let a = out.column(name).unwrap().cast(&DataType::Float64).unwrap();
        let b = batched.column(name).unwrap().cast(&DataType::Float64).unwrap();
        for (x, y) in a.f64().unwrap().iter().zip(b.f64().unwrap().iter()) {
            let (x, y) = (x.unwrap(), y.unwrap());
            assert!((x - y).abs() <= 1e-9 * (1.0 + x.abs()), "{name}: {x} vs {y}");
        }
    }

    // Direct computation.
    // Per group: rows, sum, count, max, Σw·x, Σw (over present x).
    type Acc = (usize, f64, usize, f64, f64, f64);
    let mut acc: HashMap<(String, i64), Acc> = HashMap::new();
    for i in 0..n {
        let e = acc.entry((units[i].clone(), years[i])).or_insert((0, 0.0, 0, f64::NEG_INFINITY, 0.0, 0.0));
        e.0 += 1;
        if let Some(v) = x[i] {
            e.1 += v;
            e.2 += 1;
            e.3 = e.3.max(v);
            e.4 += w[i] * v;
            e.5 += w[i];
        }
    }
    assert_eq!(out.height(), acc.len());
    let get_s = |c: &str| out.column(c).unwrap().str().unwrap().no_null_iter().map(String::from).collect::<Vec<_>>();
    let get_f =
        |c: &str| out.column(c).unwrap().cast(&DataType::Float64).unwrap().f64().unwrap().iter().collect::<Vec<_>>();
    let (u, t) = (get_s("commune"), get_f("year"));
    let (nn, s, m, c, mx, wm) =
        (get_f("n"), get_f("x_sum"), get_f("x_mean"), get_f("x_count"), get_f("x_max"), get_f("x_wmean"));
    for i in 0..out.height() {
        let e = acc[&(u[i].clone(), t[i].unwrap() as i64)];
        assert_eq!(nn[i], Some(e.0 as f64));
        assert!((s[i].unwrap() - e.1).abs() < 1e-9 * (1.0 + e.1.abs()));
        assert!((m[i].unwrap() - e.1 / e.2 as f64).abs() < 1e-9 * (1.0 + e.1.abs()));
        assert_eq!(c[i], Some(e.2 as f64));
        assert_eq!(mx[i], Some(e.3));
        assert!((wm[i].unwrap() - e.4 / e.5).abs() < 1e-9 * (1.0 + e.4.abs()));
        if i > 0 {
            assert!(
                (u[i - 1].as_str(), t[i - 1].unwrap()) < (u[i].as_str(), t[i].unwrap()),
                "sorted by unit then period"
            );
        }
    }
    // The leading zeros of the string unit codes survive.
    assert!(u.iter().all(|s| s.len() == 5));
}

#[test]
fn panel_event_time_and_balance_on_random_panels() {
    let mut rng = SimRng::new(11);
    for _ in 0..20 {
        let n_units = 2 + rng.below(30) as usize;
        let periods: Vec<i64> = (2000..2000 + 2 + rng.below(8) as i64).collect();
        let cohort: Vec<Option<i64>> = (0..n_units)
            .map(|i| {
                if i == 0 || rng.uniform() < 0.4 {
                    None
                } else {
                    Some(periods[1 + rng.below(periods.len() as u64 - 1) as usize])
                }
            })
            .collect();
        let (mut us, mut ts, mut ds) = (vec![], vec![], vec![]);
        let drop_one = rng.uniform() < 0.5;
        for (u, g) in cohort.iter().enumerate() {
            for &t in &periods {
                if drop_one && u == 1 && t == periods[0] {
                    continue;
                }
                us.push(u as i64 * 10);
                ts.push(t);
                ds.push(i64::from(g.is_some_and(|g| t >= g)));
            }
        }
        let df = df! { "u" => &us, "t" => &ts, "d" => &ds }.unwrap();
        let p = Panel::new(&df, "u", "t").unwrap();
        assert_eq!(p.n_units(), n_units);
        assert_eq!(p.is_balanced(), !drop_one);
        assert_eq!(p.diagnostics().iter().any(|d| d.code == "unbalanced_panel"), drop_one);
        if cohort.iter().all(Option::is_none) {
            continue;
        }
        let p = p.with_treatment(&df, "d").unwrap();
        let rel = p.rel_periods();
        for (row, e) in rel.iter().enumerate() {
            let g = cohort[(us[row] / 10) as usize];
            assert_eq!(*e, g.map(|g| ts[row] - g));
            // treated exactly when event time is non-negative
            assert_eq!(ds[row] == 1, e.is_some_and(|e| e >= 0));
        }
        let with = p.with_event_time(&df).unwrap();
        assert_eq!(with.column("rel_period").unwrap().null_count(), rel.iter().filter(|e| e.is_none()).count());
    }
}

#[test]
fn design_matrix_drops_missing_rows_and_says_so() {
    let df = df! {
        "y" => [Some(1.0f64), None, Some(3.0), Some(4.0)],
        "x" => [Some(1i64), Some(2), None, Some(4)],
        "b" => [true, false, true, false],
    }
    .unwrap();
    let m = DesignMatrix::from_frame(&df, &["y", "x", "b"], MissingPolicy::Drop).unwrap();
    assert_eq!((m.nrows(), m.ncols()), (2, 3));
    assert_eq!(m.source_rows(), [0, 3]);
    assert_eq!(m.column(0), [1.0, 4.0]);
    assert_eq!(m.column_by_name("x").unwrap(), [1.0, 4.0]);
    assert_eq!(m.column(2), [1.0, 0.0]);
    let v = m.view();
    assert_eq!(v[[1, 2]], 0.0);
    assert_eq!(v.shape(), [2, 3]);
    let d = &m.diagnostics()[0];
    assert!(
        d.message.contains("2 of 4 rows dropped") && d.message.contains("`y`: 1") && d.message.contains("`x`: 1"),
        "{d}"
    );
}

#[test]
fn tidy_and_glance_frames_have_the_contract_columns() {
    use phare_core::{Coefficient, ConfidenceLevel, Glance, Reference, RelativePeriod, Tidy, columns};
    use phare_data::ToFrame;
    let tidy = Tidy::from_coefficients(
        &[Coefficient::new("ATT", 1.5, 0.5).at_rel_period(RelativePeriod(0)), Coefficient::new("x", -2.0, 1.0)],
        Reference::Normal,
        ConfidenceLevel::NINETY_FIVE,
    );
    let df = tidy.to_frame().unwrap();
    let names: Vec<&str> = df.get_column_names().iter().map(|s| s.as_str()).collect();
    let mut expected = columns::BASE.to_vec();
    expected.push(columns::REL_PERIOD);
    assert_eq!(names, expected);
    let low = df.column("conf_low").unwrap().f64().unwrap().get(0).unwrap();
    assert!((low - (1.5 - 1.959_963_984_540_054 * 0.5)).abs() < 1e-9);
    let g = Glance::new().with("nobs", 10usize).with("vcov_type", "HC1").with("r2", 0.5);
    let gdf = g.to_frame().unwrap();
    assert_eq!(gdf.shape(), (1, 3));
}
