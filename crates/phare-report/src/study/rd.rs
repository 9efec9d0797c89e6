//! Study files for regression discontinuity: a policy that applies above a threshold of a score.
//!
//! Estimator: `rd` (local polynomial with robust bias-corrected inference; keys `p`, `kernel`,
//! `bwselect`, `vce`, `h`, `covariates`), sharp or fuzzy (`roles.fuzzy`). The brief shows the RD
//! plot and the estimate across bandwidths, and checks the density of the score at the cut-off
//! (manipulation), the balance of pre-determined covariates, placebo cut-offs and the sensitivity
//! to the bandwidth.
//!
//! The headline follows Cattaneo, Idrobo and Titiunik's practice: the conventional local
//! polynomial estimate, with the robust bias-corrected interval and p-value of Calonico, Cattaneo
//! and Titiunik (2014).

use super::{
    EstimatorResult, EstimatorSpec, StudyRun, StudySpec, binary_check, chart_err, check_headline, checks, data_source,
    estimators_figure, invalid, parameters, robustness_rows,
};
use crate::brief::{BaselineKind, Brief, Check, Figure, Headline, Methods, OutcomeScale, Reproducibility, Verdict};
use crate::chart::{BandwidthPoint, BandwidthSensitivityChart, RdBin, RdPlotChart};
use crate::text::Lang;
use phare_causal::rd::{BwSelect, DensityTest, Kernel, RdFit, RdPlotOptions, RegressionDiscontinuity, Vce};
use phare_core::{Error, Estimates, Result};
use phare_data::polars::prelude::DataFrame;

/// The methods of this family.
pub(super) const METHODS: [&str; 1] = ["rd"];

/// The checks of an RD study that need no data.
pub(super) fn check_values(spec: &StudySpec) -> Result<()> {
    let bad = invalid;
    if let Some(e) = spec.estimators.iter().find(|e| e.method != "rd") {
        return Err(bad(
            "method",
            e.method.clone(),
            "a regression-discontinuity study runs `rd` estimators only",
            "put other designs in a study of their own",
        ));
    }
    let r = &spec.roles;
    if r.running.is_none() {
        return Err(bad(
            "running",
            "[roles]".into(),
            "a regression-discontinuity study needs the score whose threshold assigns the policy",
            "running = \"margin\" and cutoff = 0",
        ));
    }
    if r.cohort.is_some() || r.treatment.is_some() || !r.treated.is_empty() || r.treat_start.is_some() {
        return Err(bad(
            "roles",
            "cohort / treatment / treated".into(),
            "in a regression discontinuity the score and cut-off assign the policy",
            "remove cohort, treatment, treated and treat_start; for partial take-up give fuzzy = \"takeup\"",
        ));
    }
    check_headline(spec)?;
    if spec.inference.bootstrap.is_some() {
        return Err(bad(
            "bootstrap",
            format!("{:?}", spec.inference.bootstrap),
            "RD inference is analytic (robust bias-corrected)",
            "remove bootstrap from [inference]",
        ));
    }
    let level = spec.inference.level;
    if !(level > 0.0 && level < 1.0) {
        return Err(bad("level", level.to_string(), "a confidence level is between 0 and 1", "level = 0.95"));
    }
    for e in &spec.estimators {
        if e.control.is_some()
            || e.est.is_some()
            || e.aggregate.is_some()
            || e.base_period.is_some()
            || e.anticipation != 0
            || !e.predictors.is_empty()
            || e.predictor_weights.is_some()
            || e.ridge_lambda.is_some()
            || e.se.is_some()
            || e.replications.is_some()
        {
            return Err(bad(
                "estimators",
                e.method.clone(),
                "`rd` takes p, kernel, bwselect, vce, h and covariates only",
                "remove the other keys from the `rd` estimator",
            ));
        }
        model(spec, e)?;
    }
    Ok(())
}

/// The design an estimator table describes.
fn model(spec: &StudySpec, e: &EstimatorSpec) -> Result<RegressionDiscontinuity> {
    let r = &spec.roles;
    let running = r.running.as_deref().unwrap_or_default();
    let mut m = RegressionDiscontinuity::new(&r.outcome, running).cutoff(r.cutoff.unwrap_or(0.0));
    if let Some(d) = &r.fuzzy {
        m = m.fuzzy(d);
    }
    if let Some(p) = e.p {
        m = m.order(p);
    }
    if let Some(k) = &e.kernel {
        m = m.kernel(k.parse::<Kernel>()?);
    }
    if let Some(b) = &e.bwselect {
        m = m.bwselect(b.parse::<BwSelect>()?);
    }
    if let Some(v) = &e.vce {
        m = m.vce(v.parse::<Vce>()?);
    }
    if let Some(h) = e.h {
        if !(h.is_finite() && h > 0.0) {
            return Err(invalid("h", h.to_string(), "a bandwidth is positive", "h = 10, or leave it out to select it"));
        }
        m = m.bandwidth(h);
    }
    if let Some(g) = &spec.inference.cluster {
        m = m.cluster(g);
    }
    if !e.covariates.is_empty() {
        let names: Vec<&str> = e.covariates.iter().map(String::as_str).collect();
        m = m.covariates(&names);
    }
    Ok(m)
}

/// The estimator's name in the brief.
fn default_label(e: &EstimatorSpec, fit: &RdFit, lang: Lang) -> String {
    let order = match (fit.glance().get("p").map(ToString::to_string).as_deref(), lang) {
        (Some("0"), Lang::En) => "Local constant",
        (Some("1"), Lang::En) => "Local linear",
        (Some("2"), Lang::En) => "Local quadratic",
        (_, Lang::En) => "Local polynomial",
        (Some("0"), Lang::Fr) => "Polynôme local de degré 0",
        (Some("1"), Lang::Fr) => "Linéaire local",
        (Some("2"), Lang::Fr) => "Quadratique local",
        (_, Lang::Fr) => "Polynôme local",
    };
    let bw = fit
        .selector()
        .map_or_else(|| lang.pick("given bandwidth", "fenêtre donnée").to_string(), |s| s.name().to_string());
    let covs = if e.covariates.is_empty() {
        String::new()
    } else {
        lang.pick(", with covariates", ", avec covariables").into()
    };
    format!("{order} RD ({bw}{covs})")
}

/// The row the brief reports: the conventional estimate with the robust interval and p-value.
fn headline_row(fit: &RdFit, level: f64) -> Result<phare_core::TidyRow> {
    let tidy = fit.tidy_at(level)?;
    let mut row =
        tidy.row("Robust").cloned().ok_or_else(|| Error::design("the RD fit has no robust row", "report this"))?;
    row.estimate = fit.estimate();
    Ok(row)
}

/// Runs a regression-discontinuity study on its loaded data.
pub(super) fn run(spec: &StudySpec, df: &DataFrame, label: String, sha: String, command: &str) -> Result<StudyRun> {
    let r = &spec.roles;
    let lang = spec.lang;
    let level = spec.inference.level;
    let running = r.running.clone().unwrap_or_default();
    let cutoff = r.cutoff.unwrap_or(0.0);
    let models: Vec<RegressionDiscontinuity> = spec.estimators.iter().map(|e| model(spec, e)).collect::<Result<_>>()?;
    let fits: Vec<RdFit> = models.iter().map(|m| m.fit(df)).collect::<Result<_>>()?;
    let results: Vec<EstimatorResult> = spec
        .estimators
        .iter()
        .zip(&fits)
        .map(|(e, fit)| {
            Ok(EstimatorResult {
                label: e.label.clone().unwrap_or_else(|| default_label(e, fit, lang)),
                method: e.method.clone(),
                att: headline_row(fit, level)?,
                tidy: fit.tidy_at(level)?,
                event_study: None,
                glance: fit.glance(),
                diagnostics: fit.diagnostics(),
                pretrend: None,
            })
        })
        .collect::<Result<_>>()?;
    let headline_index = spec.estimators.iter().position(|e| e.headline).unwrap_or(0);
    let (head, head_fit, head_model) = (&results[headline_index], &fits[headline_index], &models[headline_index]);
    let outcome = r.outcome_label.clone().unwrap_or_else(|| r.outcome.clone());
    let running_label = r.running_label.clone().unwrap_or_else(|| running.clone());
    let fuzzy = r.fuzzy.is_some();

    let headline = Headline {
        estimator: head.label.clone(),
        estimate: head.att.estimate,
        std_error: head.att.std_error,
        conf_low: head.att.conf_low,
        conf_high: head.att.conf_high,
        level,
        p_value: head.att.p_value,
        scale: r.outcome_scale,
        baseline: match (r.outcome_scale, fuzzy) {
            (OutcomeScale::Level, false) => Some(head_fit.left_limit()).filter(|v| v.is_finite() && *v != 0.0),
            _ => None,
        },
        baseline_kind: BaselineKind::BelowCutoff,
    };

    // Figures: the RD plot, the estimate across bandwidths, the estimators side by side.
    let mut figures = Vec::new();
    let mut pngs = Vec::new();
    // Bins chosen from the data (rdplot's default, mimicking variance); when the data do not
    // allow it (e.g. too few distinct scores), 20 evenly spaced bins per side.
    let (plot, chosen_bins) = match head_model.plot_with(df, &RdPlotOptions::new()) {
        Ok(p) => (p, true),
        Err(_) => (head_model.plot_with(df, &RdPlotOptions::new().bins(20, 20))?, false),
    };
    let how = match (chosen_bins, lang) {
        (true, Lang::En) => "chosen from the data",
        (false, Lang::En) => "evenly spaced",
        (true, Lang::Fr) => "choisis selon les données",
        (false, Lang::Fr) => "régulièrement espacés",
    };
    let z = phare_core::Reference::Normal.critical_value(phare_core::ConfidenceLevel::new(level)?);
    let bins: Vec<RdBin> = plot
        .bins
        .iter()
        .map(|b| {
            let bin = RdBin::new(b.x, b.y);
            if b.se.is_finite() { bin.interval(b.y - z * b.se, b.y + z * b.se) } else { bin }
        })
        .collect();
    let chart = RdPlotChart::new(bins)
        .fits(plot.left_fit.clone(), plot.right_fit.clone())
        .cutoff(cutoff)
        .x_label(running_label.clone())
        .y_label(outcome.clone());
    figures.push(Figure {
        name: "rd_plot".into(),
        caption: match lang {
            Lang::En => format!(
                "{outcome} against {running_label}: means within bins ({} left, {} right, {how}) and a global quartic fit on each side. The jump at the cut-off ({}) is the effect.",
                plot.n_bins.0, plot.n_bins.1, lang.number(cutoff, decimals_of(cutoff))
            ),
            Lang::Fr => format!(
                "{outcome} selon {running_label}\u{a0}: moyennes par intervalle ({} à gauche, {} à droite, {how}) et un polynôme global de degré 4 de chaque côté. Le saut au seuil ({}) est l'effet.",
                plot.n_bins.0, plot.n_bins.1, lang.number(cutoff, decimals_of(cutoff))
            ),
        },
        svg: chart.svg().map_err(chart_err)?,
    });
    if spec.report.png {
        pngs.push(("figures/rd_plot.png".into(), chart.png().map_err(chart_err)?));
    }
    let (hl, hr) = head_fit.bandwidths();
    let sensitivity = head_model.bandwidth_sensitivity(df, head_fit, &[0.5, 0.75, 1.0, 1.25, 1.5, 2.0]);
    let mut points = Vec::new();
    for (f, other) in &sensitivity {
        let row = headline_row(other, level)?;
        points.push(BandwidthPoint::new(hl * f, row.estimate, row.conf_low, row.conf_high));
    }
    let sens_chart = BandwidthSensitivityChart::new(points).chosen(hl).y_label(match lang {
        Lang::En => format!("Effect on {outcome} (robust CI)"),
        Lang::Fr => format!("Effet sur {outcome} (IC robuste)"),
    });
    figures.push(Figure {
        name: "bandwidths".into(),
        caption: lang
            .pick(
                "The estimate and its robust interval at half to twice the chosen bandwidth (highlighted): a result that holds only at one bandwidth is fragile.",
                "L'estimation et son intervalle robuste de la moitié au double de la fenêtre retenue (mise en évidence)\u{a0}: un résultat qui ne tient qu'à une fenêtre est fragile.",
            )
            .into(),
        svg: sens_chart.svg().map_err(chart_err)?,
    });
    if results.len() > 1 {
        figures.push(estimators_figure(&results, lang, &outcome, level)?);
    }

    let robustness = robustness_rows(&results, headline_index, lang);
    let mut all_checks = rd_checks(spec, df, head_model, head_fit, &sensitivity, level, lang)?;
    all_checks.extend(checks(spec, &results, headline_index, lang));

    let ((nl, nr), (nhl, nhr)) = head_fit.n();
    let d = crate::text::decimals_for(hl.min(hr) / 100.0, 2);
    let key_figures = vec![
        (lang.pick("Score", "Score").to_string(), running_label.clone()),
        (lang.pick("Cut-off", "Seuil").to_string(), lang.number(cutoff, decimals_of(cutoff))),
        (
            lang.pick("Observations (below, above)", "Observations (sous, au-dessus)").to_string(),
            format!("{}, {}", lang.number(nl as f64, 0), lang.number(nr as f64, 0)),
        ),
        (
            lang.pick("Within the bandwidth", "Dans la fenêtre").to_string(),
            format!("{}, {}", lang.number(nhl as f64, 0), lang.number(nhr as f64, 0)),
        ),
        (
            lang.pick("Bandwidth", "Fenêtre").to_string(),
            if (hl - hr).abs() <= 1e-12 * hl {
                lang.number(hl, d)
            } else {
                format!("{}, {}", lang.number(hl, d), lang.number(hr, d))
            },
        ),
    ];
    let methods = Methods {
        design: match (fuzzy, head_fit.glance().get("p").is_some(), lang) {
            (false, _, Lang::En) => "Sharp regression discontinuity".into(),
            (false, _, Lang::Fr) => "Régression sur discontinuité nette".into(),
            (true, _, Lang::En) => "Fuzzy regression discontinuity (the jump of the outcome over the jump of take-up)".into(),
            (true, _, Lang::Fr) => "Régression sur discontinuité floue (saut du résultat rapporté au saut de la participation)".into(),
        },
        assumption: lang
            .pick(
                "Units just below and just above the cut-off are alike: nothing else changes at the threshold, and units cannot place themselves precisely on one side of it.",
                "Les unités juste sous le seuil et juste au-dessus sont comparables\u{a0}: rien d'autre ne change au seuil, et les unités ne peuvent pas se placer précisément d'un côté.",
            )
            .into(),
        estimator: head.label.clone(),
        variance: match lang {
            Lang::En => format!(
                "Robust bias-corrected interval and p-value (Calonico, Cattaneo and Titiunik 2014), {} variance; bandwidth {}",
                head_fit.glance().get("vcov_type").map(ToString::to_string).unwrap_or_default(),
                head_fit.selector().map_or("given".to_string(), |s| format!("{} (data-driven)", s.name()))
            ),
            Lang::Fr => format!(
                "Intervalle et p-valeur robustes corrigés du biais (Calonico, Cattaneo et Titiunik 2014), variance {}\u{a0}; fenêtre {}",
                head_fit.glance().get("vcov_type").map(ToString::to_string).unwrap_or_default(),
                head_fit.selector().map_or("donnée".to_string(), |s| format!("{} (selon les données)", s.name()))
            ),
        },
        data_source: data_source(spec, &label),
        vintage: spec.data.vintage.clone().unwrap_or_default(),
    };
    let mut limits: Vec<String> = vec![
        lang.pick(
            "The effect is measured at the cut-off, for units whose score is near it; it need not hold far from the threshold.",
            "L'effet est mesuré au seuil, pour les unités dont le score en est proche\u{a0}; il peut différer loin du seuil.",
        )
        .into(),
        lang.pick(
            "If units could choose which side of the cut-off they fall on, or another policy changes at the same threshold, the jump mixes these in.",
            "Si les unités pouvaient choisir leur côté du seuil, ou si une autre mesure change au même seuil, le saut les mélange.",
        )
        .into(),
    ];
    if fuzzy {
        limits.push(
            lang.pick(
                "With partial take-up, the effect is that on units who take the policy up because they cross the threshold (compliers).",
                "Avec une participation partielle, l'effet est celui sur les unités qui participent parce qu'elles franchissent le seuil (les «\u{a0}compliers\u{a0}»).",
            )
            .into(),
        );
    }
    limits.extend(spec.report.limits.iter().cloned());
    let mut design_lines = vec![("running".to_string(), running.clone()), ("cutoff".to_string(), cutoff.to_string())];
    if let Some(d) = &r.fuzzy {
        design_lines.push(("fuzzy".to_string(), d.clone()));
    }
    let brief = Brief {
        lang,
        title: spec.title.clone(),
        question: spec.question.clone(),
        treatment: spec.policy.clone(),
        outcome,
        headline,
        key_figures,
        figures,
        robustness,
        checks: all_checks,
        methods,
        limits,
        reproducibility: Reproducibility {
            phare_version: phare_core::VERSION.into(),
            command: Some(command.into()),
            parameters: parameters(spec, design_lines),
            seed: None,
            inputs: vec![(label.clone(), sha.clone())],
        },
    };
    Ok(StudyRun { spec: spec.clone(), spec_text: None, results, brief, pngs, input: (label, sha) })
}

/// Checks specific to RD: manipulation of the score, covariate balance, placebo cut-offs, and
/// sensitivity to the bandwidth.
fn rd_checks(
    spec: &StudySpec,
    df: &DataFrame,
    model: &RegressionDiscontinuity,
    fit: &RdFit,
    sensitivity: &[(f64, RdFit)],
    level: f64,
    lang: Lang,
) -> Result<Vec<Check>> {
    let r = &spec.roles;
    let running = r.running.clone().unwrap_or_default();
    let cutoff = r.cutoff.unwrap_or(0.0);
    let mut out = Vec::new();
    // Manipulation: the density of the score on either side of the cut-off.
    match DensityTest::new(&running).cutoff(cutoff).fit(df) {
        Ok(dt) => {
            let p = dt.p_value();
            let quiet = p >= 0.05;
            out.push(binary_check(
                lang,
                lang.pick("Density of the score at the cut-off", "Densité du score au seuil"),
                match lang {
                    Lang::En => format!("density test (Cattaneo, Jansson and Ma), p = {}", lang.p_value(p)),
                    Lang::Fr => format!("test de densité (Cattaneo, Jansson et Ma), p = {}", lang.p_value(p)),
                },
                quiet,
                (
                    "As many units fall just above the threshold as just below, as expected if nobody could choose their side.",
                    "Autant d'unités tombent juste au-dessus du seuil que juste au-dessous, comme attendu si personne ne pouvait choisir son côté.",
                ),
                (
                    "The score's density jumps at the threshold: units may have sorted themselves to one side, and those just above may differ from those just below.",
                    "La densité du score saute au seuil\u{a0}: des unités ont pu se placer d'un côté, et celles juste au-dessus peuvent différer de celles juste au-dessous.",
                ),
            ));
        }
        Err(e) => out.push(Check {
            name: lang.pick("Density of the score at the cut-off", "Densité du score au seuil").into(),
            result: lang.pick("not computed", "non calculé").into(),
            verdict: Verdict::Caution,
            explanation: e.to_string(),
        }),
    }
    // Balance: pre-determined covariates should not jump.
    if !r.balance.is_empty() {
        let names: Vec<&str> = r.balance.iter().map(String::as_str).collect();
        let rows = model.balance(df, &names)?;
        let mut jumps = Vec::new();
        let mut min_p = 1.0f64;
        for (name, f) in &rows {
            let p = headline_row(f, level)?.p_value;
            min_p = min_p.min(p);
            if p < 0.05 {
                jumps.push(name.clone());
            }
        }
        out.push(Check {
            name: lang.pick("Balance of pre-determined covariates", "Équilibre des covariables prédéterminées").into(),
            result: match lang {
                Lang::En => format!("{} covariate(s), smallest robust p = {}", rows.len(), lang.p_value(min_p)),
                Lang::Fr => format!("{} covariable(s), plus petite p robuste = {}", rows.len(), lang.p_value(min_p)),
            },
            verdict: if jumps.is_empty() { Verdict::Reassuring } else { Verdict::Caution },
            explanation: if jumps.is_empty() {
                lang.pick(
                    "Characteristics fixed before the policy do not jump at the threshold: units on either side look alike.",
                    "Les caractéristiques fixées avant la mesure ne sautent pas au seuil\u{a0}: les unités de part et d'autre se ressemblent.",
                )
                .into()
            } else {
                match lang {
                    Lang::En => format!("These characteristics, fixed before the policy, jump at the threshold: {}. Units on either side may differ in more than the policy.", jumps.join(", ")),
                    Lang::Fr => format!("Ces caractéristiques, fixées avant la mesure, sautent au seuil\u{a0}: {}. Les unités de part et d'autre peuvent différer par autre chose que la mesure.", jumps.join(", ")),
                }
            },
        });
    }
    // Placebo cut-offs half-way into each side, where no jump is expected.
    let (lo, hi) = score_range(df, &running)?;
    let placebos = [cutoff - (cutoff - lo) / 2.0, cutoff + (hi - cutoff) / 2.0];
    let placebo_fits: Vec<(f64, RdFit)> = placebos
        .iter()
        .filter_map(|&pc| model.clone().placebo_cutoffs(df, &[pc]).ok().and_then(|mut v| v.pop()))
        .collect();
    if !placebo_fits.is_empty() {
        let mut ps = Vec::new();
        for (pc, f) in &placebo_fits {
            ps.push((*pc, headline_row(f, level)?.p_value));
        }
        let quiet = ps.iter().all(|(_, p)| *p >= 0.05);
        let d = crate::text::decimals_for((hi - lo).abs() / 1000.0, 2);
        let listed: Vec<String> =
            ps.iter().map(|(c, p)| format!("{} (p = {})", lang.number(*c, d), lang.p_value(*p))).collect();
        out.push(binary_check(
            lang,
            lang.pick("Placebo cut-offs", "Seuils placebo"),
            listed.join(", "),
            quiet,
            (
                "At thresholds where nothing changes, the same method finds no jump: it does not invent effects.",
                "À des seuils où rien ne change, la même méthode ne trouve pas de saut\u{a0}: elle n'invente pas d'effet.",
            ),
            (
                "The method finds a jump at a threshold where nothing changes: the outcome may be irregular in the score, and the real jump should be read with care.",
                "La méthode trouve un saut à un seuil où rien ne change\u{a0}: le résultat peut être irrégulier selon le score, et le vrai saut doit être lu avec prudence.",
            ),
        ));
    }
    // Sensitivity to the bandwidth: half and double.
    let ends: Vec<&(f64, RdFit)> = sensitivity.iter().filter(|(f, _)| *f == 0.5 || *f == 2.0).collect();
    if !ends.is_empty() {
        let same = ends.iter().all(|(_, f)| f.estimate().signum() == fit.estimate().signum());
        let dd = crate::text::decimals_for(fit.std_error(), 2);
        let listed: Vec<String> = ends
            .iter()
            .map(|(f, o)| match lang {
                Lang::En => format!("×{}: {}", lang.number(*f, 1), lang.number(o.estimate(), dd)),
                Lang::Fr => format!("×{}\u{a0}: {}", lang.number(*f, 1), lang.number(o.estimate(), dd)),
            })
            .collect();
        out.push(binary_check(
            lang,
            lang.pick("Half and double the bandwidth", "Moitié et double de la fenêtre"),
            listed.join(", "),
            same,
            (
                "The sign of the effect holds from half to twice the chosen bandwidth.",
                "Le signe de l'effet tient de la moitié au double de la fenêtre retenue.",
            ),
            (
                "The sign of the effect changes with the bandwidth: the result depends on how far from the threshold units are compared.",
                "Le signe de l'effet change avec la fenêtre\u{a0}: le résultat dépend de la distance au seuil des unités comparées.",
            ),
        ));
    }
    Ok(out)
}

/// The decimals a threshold is written with (0.5 → 1, 18 → 0), at most 6.
fn decimals_of(v: f64) -> usize {
    let s = format!("{}", (v * 1e6).round() / 1e6);
    s.split_once('.').map_or(0, |(_, frac)| frac.len().min(6))
}

/// The smallest and largest value of the score.
fn score_range(df: &DataFrame, running: &str) -> Result<(f64, f64)> {
    let m = phare_data::matrix::DesignMatrix::from_frame(df, &[running], phare_data::matrix::MissingPolicy::Drop)?;
    Ok(m.column(0).iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v))))
}
