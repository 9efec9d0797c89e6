//! Study files for the synthetic-control family: one treated region (or a few) against donors.
//!
//! Estimators: `sc` (Abadie–Diamond–Hainmueller, with the placebo-in-space test), `ascm` (ridge
//! augmented), `sdid` (synthetic DiD), `did` and `sc-sdid` (DiD and synthetic control in the
//! synthetic-DiD framework, with placebo standard errors). The brief shows the treated unit against
//! its synthetic counterpart, the gaps with the placebo gaps, the donor weights (and SDID's time
//! weights), and checks the pre-treatment fit, the permutation test, leave-one-out donors and a
//! placebo in time.

use super::{
    EstimatorResult, StudyRun, StudySpec, chart_err, check_headline, checks, data_source, estimators_figure, invalid,
    parameters, robustness_rows,
};
use crate::brief::{BaselineKind, Brief, Check, Figure, Headline, Methods, OutcomeScale, Reproducibility, Verdict};
use crate::chart::{GapChart, SynthPathChart, WeightsChart};
use crate::text::Lang;
use phare_causal::synth::{
    Assignment, Predictor, PredictorWeights, SdidMethod, SdidVariance, SyntheticControl, SyntheticControlFit,
    SyntheticDid,
};
use phare_core::{Error, Estimates, Result, Seed};
use phare_data::polars::prelude::DataFrame;

/// The methods of this family.
pub(super) const METHODS: [&str; 5] = ["sdid", "sc", "ascm", "did", "sc-sdid"];

/// The checks of a synthetic-control study that need no data.
pub(super) fn check_values(spec: &StudySpec) -> Result<()> {
    let bad = invalid;
    if let Some(e) = spec.estimators.iter().find(|e| !METHODS.contains(&e.method.as_str())) {
        return Err(bad(
            "method",
            e.method.clone(),
            &format!(
                "a study is either synthetic control ({}) or difference-in-differences; it cannot mix them",
                METHODS.join(", ")
            ),
            "put the difference-in-differences estimators in a study of their own",
        ));
    }
    let r = &spec.roles;
    if r.cohort.is_some() {
        return Err(bad(
            "cohort",
            r.cohort.clone().unwrap_or_default(),
            "synthetic-control studies name the treated unit instead of a cohort column",
            "treated = [\"California\"] and treat_start = 1989, or treatment = \"treated\" (0/1)",
        ));
    }
    match (r.treated.is_empty(), r.treat_start, &r.treatment) {
        (false, Some(_), None) | (true, None, Some(_)) => {}
        _ => {
            return Err(bad(
                "treated",
                "[roles]".into(),
                "give the treated unit(s) with their start (`treated` and `treat_start`), or a 0/1 `treatment` column",
                "treated = [\"California\"] and treat_start = 1989",
            ));
        }
    }
    check_headline(spec)?;
    if spec.inference.bootstrap.is_some() || spec.inference.cluster.is_some() {
        return Err(bad(
            "inference",
            "bootstrap / cluster".into(),
            "synthetic-control estimators take their standard error from `se` and `replications` in each [[estimators]] table",
            "remove bootstrap and cluster from [inference]; set se = \"bootstrap\" on an sdid estimator instead",
        ));
    }
    let level = spec.inference.level;
    if !(level > 0.0 && level < 1.0) {
        return Err(bad("level", level.to_string(), "a confidence level is between 0 and 1", "level = 0.95"));
    }
    for e in &spec.estimators {
        let adh = matches!(e.method.as_str(), "sc" | "ascm");
        let only = |set: bool, key: &str, methods: &str| {
            if set {
                Err(bad(
                    key,
                    e.method.clone(),
                    &format!("`{key}` applies to {methods} only"),
                    &format!("remove `{key}` from the `{}` estimator", e.method),
                ))
            } else {
                Ok(())
            }
        };
        only(!e.covariates.is_empty(), "covariates", "difference-in-differences estimators")?;
        only(
            e.control.is_some() || e.est.is_some() || e.aggregate.is_some() || e.base_period.is_some(),
            "control/est/aggregate/base_period",
            "difference-in-differences estimators",
        )?;
        only(e.anticipation != 0, "anticipation", "difference-in-differences estimators")?;
        only(!adh && (!e.predictors.is_empty() || e.predictor_weights.is_some()), "predictors", "sc and ascm")?;
        only(e.method != "ascm" && e.ridge_lambda.is_some(), "ridge_lambda", "ascm")?;
        only(
            adh && e.replications.is_some(),
            "replications",
            "sdid, did and sc-sdid (sc and ascm use every donor once)",
        )?;
        for p in &e.predictors {
            Predictor::parse(p)?;
        }
        if let Some(v) = &e.predictor_weights {
            predictor_weights(v)?;
        }
        let se: SdidVariance = e.se.as_deref().unwrap_or("placebo").parse()?;
        if adh && matches!(se, SdidVariance::Bootstrap | SdidVariance::Jackknife) {
            return Err(bad(
                "se",
                se.name().into(),
                "sc and ascm are tested by placebos in space: se = \"placebo\" or \"none\"",
                "use se = \"bootstrap\" with sdid",
            ));
        }
        if e.replications.is_some_and(|b| b < 2) {
            return Err(bad(
                "replications",
                format!("{:?}", e.replications),
                "a standard error needs at least 2 replications",
                "replications = 200",
            ));
        }
    }
    Ok(())
}

fn predictor_weights(v: &str) -> Result<PredictorWeights> {
    match v {
        "optimized" => Ok(PredictorWeights::Optimized),
        "regression" => Ok(PredictorWeights::Regression),
        "equal" => Ok(PredictorWeights::Equal),
        other => Err(Error::unknown_option("predictor_weights", other, &["optimized", "regression", "equal"])),
    }
}

/// `(period, value)` points of a path.
type Path = Vec<(i64, f64)>;

/// One estimator's fit with what the brief draws from it.
struct Fitted {
    result: EstimatorResult,
    /// `(period, treated)` and `(period, synthetic counterpart)`.
    paths: (Path, Path),
    /// Donor weights.
    weights: Vec<(String, f64)>,
    /// SDID's time weights.
    time_weights: Option<Path>,
    /// The ADH fit, for its placebo test and robustness checks.
    adh: Option<SyntheticControlFit>,
    /// Root mean squared gap before treatment.
    pre_rmspe: f64,
    /// Mean of the synthetic counterpart after treatment.
    counterfactual: f64,
}

fn fit_one(spec: &StudySpec, e: &super::EstimatorSpec, df: &DataFrame, assignment: &Assignment) -> Result<Fitted> {
    let r = &spec.roles;
    let level = spec.inference.level;
    let se: SdidVariance = e.se.as_deref().unwrap_or("placebo").parse()?;
    match e.method.as_str() {
        "sc" | "ascm" => {
            let preds = e.predictors.iter().map(|p| Predictor::parse(p)).collect::<Result<Vec<_>>>()?;
            let mut model = SyntheticControl::new(&r.outcome, &r.unit, &r.time)
                .assignment(assignment.clone())
                .predictors(preds)
                .placebo(se == SdidVariance::Placebo);
            if let Some(v) = &e.predictor_weights {
                model = model.predictor_weights(predictor_weights(v)?);
            }
            if e.method == "ascm" {
                model = model.augmented(e.ridge_lambda);
            }
            let fit = model.fit(df)?;
            let label = e.label.clone().unwrap_or_else(|| {
                if e.method == "ascm" {
                    "Augmented synthetic control (ridge)".into()
                } else {
                    "Synthetic control".into()
                }
            });
            let tidy = fit.tidy_at(level)?;
            let t0 = fit.treatment_start();
            let synth = fit.synthetic_path();
            let post: Vec<f64> = synth.iter().filter(|p| p.0 >= t0).map(|p| p.1).collect();
            Ok(Fitted {
                result: result(label, &e.method, tidy, &fit)?,
                paths: (fit.treated_path(), synth),
                weights: fit.weights(),
                time_weights: None,
                pre_rmspe: fit.pre_rmspe(),
                counterfactual: post.iter().sum::<f64>() / post.len() as f64,
                adh: Some(fit),
            })
        }
        m => {
            let method = if m == "sc-sdid" { SdidMethod::Sc } else { m.parse::<SdidMethod>()? };
            let fit = SyntheticDid::new(&r.outcome, &r.unit, &r.time)
                .assignment(assignment.clone())
                .method(method)
                .variance(se)
                .replications(e.replications.unwrap_or(200))
                .seed(Seed(spec.inference.seed))
                .fit(df)?;
            let label = e.label.clone().unwrap_or_else(|| match method {
                SdidMethod::Sdid => "Synthetic difference-in-differences".into(),
                SdidMethod::Sc => "Synthetic control (synthetic-DiD framework)".into(),
                SdidMethod::Did => "Difference-in-differences".into(),
            });
            let tidy = fit.tidy_at(level)?;
            // The counterpart drawn is the treated path minus the period effects: the weighted donors
            // shifted by the level difference the estimator removes.
            let effects = fit.effects();
            let c = &fit.cohorts()[0];
            let periods = fit.periods();
            let treated: Vec<(i64, f64)> = periods.iter().copied().zip(c.treated_path.iter().copied()).collect();
            let synth: Vec<(i64, f64)> = treated.iter().zip(&effects).map(|(t, e)| (t.0, t.1 - e.1)).collect();
            let pre: Vec<f64> = effects[..c.pre_periods].iter().map(|e| e.1).collect();
            let post: Vec<f64> = synth[c.pre_periods..].iter().map(|p| p.1).collect();
            Ok(Fitted {
                result: result(label, &e.method, tidy, &fit)?,
                paths: (treated, synth),
                weights: fit.unit_weights(),
                time_weights: (method == SdidMethod::Sdid).then(|| fit.time_weights()),
                pre_rmspe: (pre.iter().map(|x| x * x).sum::<f64>() / pre.len() as f64).sqrt(),
                counterfactual: post.iter().sum::<f64>() / post.len() as f64,
                adh: None,
            })
        }
    }
}

fn result(label: String, method: &str, tidy: phare_core::Tidy, fit: &dyn Estimates) -> Result<EstimatorResult> {
    let att = tidy.row("ATT").cloned().ok_or_else(|| {
        Error::design(format!("{label} returned no overall effect"), "check the treated unit and start")
    })?;
    Ok(EstimatorResult {
        label,
        method: method.into(),
        att,
        tidy,
        event_study: None,
        glance: fit.glance(),
        diagnostics: fit.diagnostics(),
        pretrend: None,
    })
}

/// Runs a synthetic-control study on its loaded data.
pub(super) fn run(spec: &StudySpec, df: &DataFrame, label: String, sha: String, command: &str) -> Result<StudyRun> {
    let r = &spec.roles;
    let lang = spec.lang;
    let assignment = match (&r.treatment, r.treat_start) {
        (Some(c), _) => Assignment::Column(c.clone()),
        (None, start) => Assignment::Units { units: r.treated.clone(), start: start.unwrap_or(i64::MIN) },
    };
    let fitted: Vec<Fitted> =
        spec.estimators.iter().map(|e| fit_one(spec, e, df, &assignment)).collect::<Result<_>>()?;
    let results: Vec<EstimatorResult> = fitted.iter().map(|f| f.result.clone()).collect();
    let headline_index = spec.estimators.iter().position(|e| e.headline).unwrap_or(0);
    let head = &fitted[headline_index];
    let outcome = r.outcome_label.clone().unwrap_or_else(|| r.outcome.clone());
    let level = spec.inference.level;
    let treat_start = match &assignment {
        Assignment::Units { start, .. } => *start,
        Assignment::Column(_) => head.adh.as_ref().map_or_else(
            || head.result.tidy.rows.iter().find_map(|row| row.cohort).unwrap_or(i64::MIN),
            SyntheticControlFit::treatment_start,
        ),
    };
    let treated_names = match &assignment {
        Assignment::Units { units, .. } => units.join(", "),
        Assignment::Column(c) => format!("{} = 1", c),
    };

    let headline = Headline {
        estimator: head.result.label.clone(),
        estimate: head.result.att.estimate,
        std_error: head.result.att.std_error,
        conf_low: head.result.att.conf_low,
        conf_high: head.result.att.conf_high,
        level,
        p_value: head.result.att.p_value,
        scale: r.outcome_scale,
        baseline: match r.outcome_scale {
            OutcomeScale::Level => Some(head.counterfactual).filter(|v| v.is_finite() && *v != 0.0),
            OutcomeScale::Log => None,
        },
        baseline_kind: BaselineKind::Counterfactual,
    };

    // Figures.
    let mut figures = Vec::new();
    let mut pngs = Vec::new();
    let paths = SynthPathChart::new(head.paths.0.clone(), head.paths.1.clone())
        .treatment_start(treat_start)
        .lang(lang)
        .y_label(outcome.clone());
    figures.push(Figure {
        name: "paths".into(),
        caption: match lang {
            Lang::En => format!(
                "{outcome}: the treated unit ({treated_names}) and its synthetic counterpart ({}). Before treatment the two should move together; the gap after it is the estimated effect.",
                head.result.label
            ),
            Lang::Fr => format!(
                "{outcome}\u{a0}: l'unité traitée ({treated_names}) et sa contrepartie synthétique ({}). Avant le traitement, les deux courbes doivent évoluer ensemble\u{a0}; l'écart ensuite est l'effet estimé.",
                head.result.label
            ),
        },
        svg: paths.svg().map_err(chart_err)?,
    });
    if spec.report.png {
        pngs.push(("figures/paths.png".into(), paths.png().map_err(chart_err)?));
    }
    let placebo_source = std::iter::once(head)
        .chain(fitted.iter())
        .find_map(|f| f.adh.as_ref().and_then(|a| a.placebo_test().map(|p| (a, p))));
    let gap_points: Vec<(i64, f64)> = head.paths.0.iter().zip(&head.paths.1).map(|(a, b)| (a.0, a.1 - b.1)).collect();
    let mut gaps = GapChart::new(gap_points).treatment_start(treat_start).lang(lang);
    if let Some((_, p)) = placebo_source {
        gaps = gaps.placebos(
            p.units.iter().map(|u| p.periods.iter().copied().zip(u.gaps.iter().copied()).collect()).collect(),
        );
    }
    figures.push(Figure {
        name: "gaps".into(),
        caption: match (placebo_source.is_some(), lang) {
            (true, Lang::En) => "Gap between the treated unit and its synthetic counterpart, against the same gap for every donor treated as if it were the treated unit (placebos, grey).".into(),
            (true, Lang::Fr) => "Écart entre l'unité traitée et sa contrepartie synthétique, comparé au même écart pour chaque unité donneuse traitée comme si elle était l'unité traitée (placebos, en gris).".into(),
            (false, Lang::En) => "Gap between the treated unit and its synthetic counterpart, by period.".into(),
            (false, Lang::Fr) => "Écart entre l'unité traitée et sa contrepartie synthétique, par période.".into(),
        },
        svg: gaps.svg().map_err(chart_err)?,
    });
    let weights = WeightsChart::new(head.weights.clone()).lang(lang);
    figures.push(Figure {
        name: "weights".into(),
        caption: match lang {
            Lang::En => {
                format!("Which donors make up the synthetic counterpart ({}): their weights.", head.result.label)
            }
            Lang::Fr => format!(
                "Les unités donneuses qui composent la contrepartie synthétique ({})\u{a0}: leurs poids.",
                head.result.label
            ),
        },
        svg: weights.svg().map_err(chart_err)?,
    });
    if let Some(tw) = &head.time_weights {
        let chart = WeightsChart::new(tw.iter().map(|(p, w)| (p.to_string(), *w)).collect())
            .sort(false)
            .top(usize::MAX)
            .item_names(lang.pick("period", "période"), lang.pick("periods", "périodes"))
            .lang(lang);
        figures.push(Figure {
            name: "time_weights".into(),
            caption: lang
                .pick(
                    "Synthetic DiD's time weights: the pre-treatment periods that best resemble the post-treatment ones, against which the change is measured.",
                    "Les poids temporels de la DiD synthétique\u{a0}: les périodes avant traitement qui ressemblent le plus aux périodes après, par rapport auxquelles l'évolution est mesurée.",
                )
                .into(),
            svg: chart.svg().map_err(chart_err)?,
        });
    }
    if results.len() > 1 {
        figures.push(estimators_figure(&results, lang, &outcome, level)?);
    }

    let robustness = robustness_rows(&results, headline_index, lang);
    let mut all_checks = synth_checks(head, placebo_source.map(|(a, _)| a), lang)?;
    all_checks.extend(checks(spec, &results, headline_index, lang));

    let n_donors = head.weights.len();
    let key_figures = vec![
        (lang.pick("Treated", "Unité traitée").to_string(), treated_names.clone()),
        (lang.pick("Donor units", "Unités donneuses").to_string(), lang.number(n_donors as f64, 0)),
        (
            lang.pick("Periods", "Périodes").to_string(),
            format!("{}–{}", head.paths.0.first().map_or(0, |p| p.0), head.paths.0.last().map_or(0, |p| p.0)),
        ),
        (lang.pick("Treatment from", "Traitement depuis").to_string(), treat_start.to_string()),
    ];
    let random = spec.estimators.iter().any(|e| {
        !matches!(e.method.as_str(), "sc" | "ascm")
            && matches!(e.se.as_deref().unwrap_or("placebo"), "placebo" | "bootstrap")
    });
    let head_spec = &spec.estimators[headline_index];
    let sdid_family = !matches!(head_spec.method.as_str(), "sc" | "ascm");
    let methods = Methods {
        design: match (head_spec.method.as_str(), lang) {
            ("sdid", Lang::En) => "Synthetic difference-in-differences".into(),
            ("sdid", Lang::Fr) => "Différence de différences synthétique".into(),
            ("did", Lang::En) => "Difference-in-differences against all donors".into(),
            ("did", Lang::Fr) => "Différence de différences face à toutes les unités donneuses".into(),
            (_, Lang::En) => "Synthetic control".into(),
            (_, Lang::Fr) => "Contrôle synthétique".into(),
        },
        assumption: if head_spec.method == "sdid" || head_spec.method == "did" {
            lang.pick(
                "Without the policy, the treated unit would have evolved like the weighted donors, up to a constant difference (weighted parallel trends); donors were not affected by the policy.",
                "Sans la mesure, l'unité traitée aurait évolué comme la moyenne pondérée des unités donneuses, à un écart constant près (tendances parallèles pondérées)\u{a0}; les unités donneuses n'ont pas été touchées par la mesure.",
            )
            .into()
        } else {
            lang.pick(
                "Without the policy, the treated unit would have followed the weighted average of donors that tracked it before treatment; donors were not affected by the policy or by a similar shock of their own.",
                "Sans la mesure, l'unité traitée aurait suivi la moyenne pondérée des unités donneuses qui la reproduisait avant le traitement\u{a0}; les unités donneuses n'ont été touchées ni par la mesure ni par un choc comparable.",
            )
            .into()
        },
        estimator: head.result.label.clone(),
        variance: match (sdid_family, head_spec.se.as_deref().unwrap_or("placebo"), lang) {
            (true, "none", Lang::En) | (false, "none", Lang::En) => "No standard error was requested".into(),
            (true, "none", Lang::Fr) | (false, "none", Lang::Fr) => "Aucun écart-type demandé".into(),
            (true, se, Lang::En) => format!(
                "{} standard error ({} replications, seed {}), normal intervals",
                se,
                head_spec.replications.unwrap_or(200),
                spec.inference.seed
            ),
            (true, se, Lang::Fr) => format!(
                "Écart-type par {} ({} réplications, graine {}), intervalles normaux",
                se,
                head_spec.replications.unwrap_or(200),
                spec.inference.seed
            ),
            (false, _, Lang::En) => format!(
                "Placebos in space: each of the {n_donors} donors treated in turn; the standard error is the spread of the placebo estimates, the p-value in the diagnostics ranks the treated unit's post/pre fit ratio"
            ),
            (false, _, Lang::Fr) => format!(
                "Placebos dans l'espace\u{a0}: chacune des {n_donors} unités donneuses traitée tour à tour\u{a0}; l'écart-type est la dispersion des estimations placebo, la p-valeur des diagnostics classe le rapport d'ajustement après/avant de l'unité traitée"
            ),
        },
        data_source: data_source(spec, &label),
        vintage: spec.data.vintage.clone().unwrap_or_default(),
    };
    let mut limits: Vec<String> = vec![
        lang.pick(
            "With one treated unit, the evidence is a comparison of that unit with placebo units: a p-value cannot be smaller than one over the number of units, and intervals rest on effects being alike across units.",
            "Avec une seule unité traitée, la preuve repose sur la comparaison avec des unités placebo\u{a0}: une p-valeur ne peut descendre sous un sur le nombre d'unités, et les intervalles supposent des effets semblables d'une unité à l'autre.",
        )
        .into(),
        lang.pick(
            "Donors must be untouched by the policy (no spillovers) and by similar reforms of their own during the period; otherwise the comparison is biased.",
            "Les unités donneuses ne doivent pas être touchées par la mesure (pas d'effets de débordement) ni par des réformes comparables sur la période\u{a0}; sinon la comparaison est biaisée.",
        )
        .into(),
        lang.pick(
            "The effect is the average gap over the periods observed after treatment; the gap chart shows how it evolves.",
            "L'effet est l'écart moyen sur les périodes observées après le traitement\u{a0}; le graphique des écarts montre son évolution.",
        )
        .into(),
    ];
    limits.extend(spec.report.limits.iter().cloned());

    let assignment_line = match &assignment {
        Assignment::Units { units, start } => ("treated".to_string(), format!("{} from {start}", units.join(", "))),
        Assignment::Column(c) => ("treatment".to_string(), c.clone()),
    };
    let parameters = parameters(spec, vec![assignment_line]);
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
            parameters,
            seed: random.then_some(spec.inference.seed),
            inputs: vec![(label.clone(), sha.clone())],
        },
    };
    Ok(StudyRun { spec: spec.clone(), spec_text: None, results, brief, pngs, input: (label, sha) })
}

/// Checks specific to synthetic controls: pre-treatment fit, permutation test, leave-one-out
/// donors and a placebo in time.
fn synth_checks(head: &Fitted, adh: Option<&SyntheticControlFit>, lang: Lang) -> Result<Vec<Check>> {
    let mut out = Vec::new();
    let att = head.result.att.estimate;
    let d = crate::text::decimals_for(head.pre_rmspe.max(att.abs() / 100.0), 2);
    let good_fit = head.pre_rmspe <= 0.5 * att.abs();
    out.push(Check {
        name: format!("{} ({})", lang.pick("Pre-treatment fit", "Ajustement avant traitement"), head.result.label),
        result: match lang {
            Lang::En => format!("RMSPE {} against an effect of {}", lang.number(head.pre_rmspe, d), lang.number(att, d)),
            Lang::Fr => format!("REQM {} pour un effet de {}", lang.number(head.pre_rmspe, d), lang.number(att, d)),
        },
        verdict: if good_fit { Verdict::Reassuring } else { Verdict::Caution },
        explanation: if good_fit {
            lang.pick(
                "Before treatment the synthetic counterpart tracks the treated unit closely compared with the size of the effect: the gap after treatment is not just the continuation of a poor fit.",
                "Avant le traitement, la contrepartie synthétique suit de près l'unité traitée au regard de la taille de l'effet\u{a0}: l'écart après traitement n'est pas le simple prolongement d'un mauvais ajustement.",
            )
            .into()
        } else {
            lang.pick(
                "The pre-treatment gaps are large compared with the effect: the synthetic counterpart does not reproduce the treated unit well, and the estimate may reflect that misfit.",
                "Les écarts avant traitement sont grands au regard de l'effet\u{a0}: la contrepartie synthétique reproduit mal l'unité traitée, et l'estimation peut refléter ce défaut d'ajustement.",
            )
            .into()
        },
    });
    if let Some(fit) = adh
        && let Some(p) = fit.placebo_test()
    {
        let n = p.units.len() + 1;
        let rank = (p.p_value * n as f64).round() as usize;
        let strong = p.p_value <= 0.1;
        out.push(Check {
            name: lang.pick("Placebos in space (permutation test)", "Placebos dans l'espace (test de permutation)").into(),
            result: match lang {
                Lang::En => format!("rank {rank} of {n}, p = {}", lang.p_value(p.p_value)),
                Lang::Fr => format!("rang {rank} sur {n}, p = {}", lang.p_value(p.p_value)),
            },
            verdict: if strong { Verdict::Reassuring } else { Verdict::Caution },
            explanation: match lang {
                Lang::En => format!(
                    "Each donor was treated as if it had received the policy. The treated unit's ratio of post- to pre-treatment misfit ranks {rank} of {n}{}.",
                    if strong { ": few placebo units show a break as large" } else { ": several placebo units show breaks as large, so the effect does not stand out" }
                ),
                Lang::Fr => format!(
                    "Chaque unité donneuse a été traitée comme si elle avait reçu la mesure. Le rapport entre le défaut d'ajustement après et avant traitement de l'unité traitée est au rang {rank} sur {n}{}.",
                    if strong { "\u{a0}: peu d'unités placebo montrent une rupture aussi forte" } else { "\u{a0}: plusieurs unités placebo montrent des ruptures aussi fortes, l'effet ne se distingue pas" }
                ),
            },
        });
        let loo = fit.leave_one_out()?;
        if !loo.fits.is_empty() {
            let same_sign = loo.fits.iter().all(|f| f.1.signum() == fit.att().signum());
            let dd = crate::text::decimals_for(fit.att().abs() / 100.0, 2);
            out.push(Check {
                name: lang.pick("Leave one donor out", "Retrait d'une unité donneuse").into(),
                result: match lang {
                    Lang::En => format!("{} refits, from {} to {}", loo.fits.len(), lang.number(loo.range.0, dd), lang.number(loo.range.1, dd)),
                    Lang::Fr => format!("{} réestimations, de {} à {}", loo.fits.len(), lang.number(loo.range.0, dd), lang.number(loo.range.1, dd)),
                },
                verdict: if same_sign { Verdict::Reassuring } else { Verdict::Caution },
                explanation: if same_sign {
                    lang.pick(
                        "Removing any one of the donors that carry weight keeps the sign of the effect: the result does not rest on a single comparison unit.",
                        "Retirer l'une quelconque des unités donneuses pondérées conserve le signe de l'effet\u{a0}: le résultat ne repose pas sur une seule unité de comparaison.",
                    )
                    .into()
                } else {
                    lang.pick(
                        "Removing one donor changes the sign of the effect: the result hinges on that unit.",
                        "Retirer une unité donneuse change le signe de l'effet\u{a0}: le résultat dépend de cette unité.",
                    )
                    .into()
                },
            });
        }
        // A placebo in time half-way through the pre-treatment periods.
        let pre: Vec<i64> = fit.treated_path().iter().map(|p| p.0).filter(|&p| p < fit.treatment_start()).collect();
        if pre.len() >= 4 {
            let fake = pre[pre.len() / 2];
            let pt = fit.placebo_in_time(fake)?;
            let quiet =
                pt.att.abs() <= 2.0 * pt.pre_rmspe.max(f64::MIN_POSITIVE) || pt.att.abs() < 0.25 * fit.att().abs();
            let dd = crate::text::decimals_for(fit.att().abs() / 100.0, 2);
            out.push(Check {
                name: lang.pick("Placebo in time", "Placebo dans le temps").into(),
                result: match lang {
                    Lang::En => format!("treatment moved to {fake}: effect {} before the real start", lang.number(pt.att, dd)),
                    Lang::Fr => format!("traitement déplacé en {fake}\u{a0}: effet {} avant le vrai début", lang.number(pt.att, dd)),
                },
                verdict: if quiet { Verdict::Reassuring } else { Verdict::Caution },
                explanation: if quiet {
                    lang.pick(
                        "Pretending the policy started earlier finds no effect of note before it really started.",
                        "Faire comme si la mesure avait commencé plus tôt ne fait apparaître aucun effet notable avant son vrai début.",
                    )
                    .into()
                } else {
                    lang.pick(
                        "Pretending the policy started earlier already finds a sizeable gap: something else may have moved the treated unit apart.",
                        "Faire comme si la mesure avait commencé plus tôt fait déjà apparaître un écart notable\u{a0}: autre chose a pu écarter l'unité traitée.",
                    )
                    .into()
                },
            });
        }
    }
    Ok(out)
}
