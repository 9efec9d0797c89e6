//! Decision briefs: the short note an evaluation unit hands a decision-maker.
//!
//! A [`Brief`] holds what the note says, already computed: the headline estimate, the other
//! estimators' answers, the diagnostics and their verdicts, the methods, the limits and what is
//! needed to reproduce it. It renders to one self-contained HTML file ([`Brief::to_html`]: inline
//! CSS and SVG, no JavaScript, no external asset) and to Markdown plus SVG files
//! ([`Brief::to_markdown`]). The layout follows the notes of France Stratégie, INSEE or the What
//! Works centres:
//!
//! 1. title and a one-sentence answer, with the effect in the outcome's units and its relative size;
//! 2. a key-figures box;
//! 3. the headline chart;
//! 4. a robustness table across estimators;
//! 5. diagnostics with plain-language verdicts;
//! 6. a methods box (design, identifying assumption, estimator, variance estimator, data source
//!    and vintage);
//! 7. limits;
//! 8. a reproducibility annex (phare version, parameters, seed, SHA-256 of the inputs).
//!
//! Two languages, [`Lang::En`] and [`Lang::Fr`] (decimal comma, `IC à 95 %`, no-break spaces).
//! Every string that came from the user or the data is escaped, so a column named `<script>` shows
//! as text. The brief computes nothing: the relative size of a log-outcome effect is the display
//! transform `exp(b) − 1` of numbers the caller gives.

use crate::text::{Lang, NBSP, NNBSP, decimals_for, escape_html, escape_markdown};

/// How the outcome is measured, which decides how the effect is put into words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutcomeScale {
    /// The outcome in its own units (euros, points, people): the relative size is the effect over
    /// the baseline mean.
    #[default]
    Level,
    /// The natural logarithm of the outcome: an effect b is a change of about `exp(b) − 1` in
    /// relative terms.
    Log,
}

/// The estimate the brief's answer is about.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    /// The estimator, in words (`Callaway–Sant'Anna, doubly robust`).
    pub estimator: String,
    /// The point estimate.
    pub estimate: f64,
    /// Its standard error.
    pub std_error: f64,
    /// Lower end of the interval.
    pub conf_low: f64,
    /// Upper end of the interval.
    pub conf_high: f64,
    /// Confidence level of the interval (0.95).
    pub level: f64,
    /// Two-sided p-value against no effect.
    pub p_value: f64,
    /// How the outcome is measured.
    pub scale: OutcomeScale,
    /// The reference level a level effect is compared with, in the outcome's units, when known:
    /// gives the relative size of the effect. What it is is said by `baseline_kind`.
    pub baseline: Option<f64>,
    /// What `baseline` is.
    pub baseline_kind: BaselineKind,
}

/// What the headline's baseline is, for the sentence that gives the relative size of the effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BaselineKind {
    /// The treated units' mean outcome before treatment (difference-in-differences).
    #[default]
    TreatedBefore,
    /// The counterfactual's mean after treatment: what the comparison predicts the treated unit
    /// would have had without the policy (synthetic control).
    Counterfactual,
    /// The outcome's limit just below the threshold (regression discontinuity).
    BelowCutoff,
}

/// One estimator's answer, for the robustness table.
#[derive(Debug, Clone, PartialEq)]
pub struct RobustnessRow {
    /// The estimator, in words.
    pub estimator: String,
    /// The point estimate.
    pub estimate: f64,
    /// Its standard error.
    pub std_error: f64,
    /// Lower end of the interval.
    pub conf_low: f64,
    /// Upper end of the interval.
    pub conf_high: f64,
    /// A short remark (`headline`, `biased under staggered adoption`, …).
    pub note: String,
}

/// What a diagnostic says about the estimate's credibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Nothing found that casts doubt.
    Reassuring,
    /// Something to keep in mind when reading the estimate.
    Caution,
    /// A reason to doubt the estimate.
    Problem,
    /// Information, no judgement.
    Info,
}

impl Verdict {
    fn label(self, lang: Lang) -> &'static str {
        match self {
            Verdict::Reassuring => lang.pick("reassuring", "rassurant"),
            Verdict::Caution => lang.pick("caution", "prudence"),
            Verdict::Problem => lang.pick("problem", "problème"),
            Verdict::Info => lang.pick("information", "information"),
        }
    }
    fn css(self) -> &'static str {
        match self {
            Verdict::Reassuring => "ok",
            Verdict::Caution => "caution",
            Verdict::Problem => "problem",
            Verdict::Info => "info",
        }
    }
}

/// One diagnostic: what was checked, what came out, and what it means.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// What was checked (`Pre-trend test`).
    pub name: String,
    /// The result in numbers (`χ²(13) = 12.1, p = 0.52`).
    pub result: String,
    /// The verdict.
    pub verdict: Verdict,
    /// What it means, in plain words.
    pub explanation: String,
}

/// The methods box.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Methods {
    /// The design (`staggered difference-in-differences`).
    pub design: String,
    /// The identifying assumption, in words.
    pub assumption: String,
    /// The estimator.
    pub estimator: String,
    /// The variance estimator.
    pub variance: String,
    /// Where the data come from.
    pub data_source: String,
    /// Which version of the data (year of extraction, release).
    pub vintage: String,
}

/// A figure: an SVG chart and its caption.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// File name stem for the Markdown version (`event_study` → `figures/event_study.svg`);
    /// letters, digits, `-` and `_` only.
    pub name: String,
    /// The caption.
    pub caption: String,
    /// The chart, an `<svg>` element.
    pub svg: String,
}

/// What it takes to reproduce the brief.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reproducibility {
    /// The phare version that produced it.
    pub phare_version: String,
    /// The command or spec file, when there is one.
    pub command: Option<String>,
    /// Every parameter, as (name, value).
    pub parameters: Vec<(String, String)>,
    /// The random seed, when something was random (bootstrap).
    pub seed: Option<u64>,
    /// Input files or datasets and the SHA-256 of their bytes.
    pub inputs: Vec<(String, String)>,
}

/// A decision brief (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct Brief {
    /// Language.
    pub lang: Lang,
    /// Title.
    pub title: String,
    /// The policy question, in one sentence.
    pub question: Option<String>,
    /// The policy or treatment, as the subject of the answer (`Raising the minimum wage`).
    pub treatment: String,
    /// The outcome, in words (`teen employment`).
    pub outcome: String,
    /// The headline estimate.
    pub headline: Headline,
    /// Further key figures, as (label, value).
    pub key_figures: Vec<(String, String)>,
    /// Figures; the first is the headline chart.
    pub figures: Vec<Figure>,
    /// Every estimator's answer, the headline included.
    pub robustness: Vec<RobustnessRow>,
    /// Diagnostics.
    pub checks: Vec<Check>,
    /// The methods box.
    pub methods: Methods,
    /// Limits of the evidence, one sentence each.
    pub limits: Vec<String>,
    /// The reproducibility annex.
    pub reproducibility: Reproducibility,
}

/// A Markdown brief and the SVG files it links to.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkdownBrief {
    /// The Markdown text.
    pub markdown: String,
    /// (relative path, SVG) for each figure, e.g. `figures/event_study.svg`.
    pub files: Vec<(String, String)>,
}

impl Headline {
    fn decimals(&self) -> usize {
        decimals_for(self.std_error, 2)
    }

    /// The relative size of the effect, as a fraction, and its interval: `exp(b) − 1` for a log
    /// outcome, `b / baseline` for a level outcome with a baseline; `None` otherwise.
    pub fn relative(&self) -> Option<(f64, f64, f64)> {
        match (self.scale, self.baseline) {
            (OutcomeScale::Log, _) => Some((self.estimate.exp_m1(), self.conf_low.exp_m1(), self.conf_high.exp_m1())),
            (OutcomeScale::Level, Some(b)) if b != 0.0 && b.is_finite() => {
                Some((self.estimate / b, self.conf_low / b, self.conf_high / b))
            }
            _ => None,
        }
    }

    fn excludes_zero(&self) -> bool {
        self.conf_low > 0.0 || self.conf_high < 0.0
    }
}

impl Brief {
    /// The one-sentence answer, as plain text (no markup, not escaped).
    pub fn answer(&self) -> String {
        let l = self.lang;
        let h = &self.headline;
        let d = h.decimals();
        let effect = l.signed(h.estimate, d);
        let ci = format!("{} {}", l.ci_label(h.level), l.interval(h.conf_low, h.conf_high, d));
        let units = match h.scale {
            OutcomeScale::Log => l.pick(" log points", " point de log"),
            OutcomeScale::Level => "",
        };
        let relative = h.relative().map(|(r, lo, hi)| {
            let size = l.percent(r.abs(), 1);
            let range = l.interval(100.0 * lo, 100.0 * hi, 1);
            let direction = match (r < 0.0, l) {
                (true, Lang::En) => "lower",
                (false, Lang::En) => "higher",
                (true, Lang::Fr) => "de moins",
                (false, Lang::Fr) => "de plus",
            };
            match (h.scale, l) {
                (OutcomeScale::Log, Lang::En) => format!(", that is about {size} {direction} (in %: {range})"),
                (OutcomeScale::Log, Lang::Fr) => {
                    format!(", soit environ {size} {direction} (en{NBSP}%{NNBSP}: {range})")
                }
                (OutcomeScale::Level, Lang::En) => match h.baseline_kind {
                    BaselineKind::TreatedBefore => format!(
                        ", {size} {direction} than the treated group's mean of {} before treatment",
                        l.number(h.baseline.unwrap_or(f64::NAN), d)
                    ),
                    BaselineKind::Counterfactual => format!(
                        ", {size} {direction} than the {} the comparison predicts without the policy over the same periods",
                        l.number(h.baseline.unwrap_or(f64::NAN), d)
                    ),
                    BaselineKind::BelowCutoff => format!(
                        ", {size} {direction} than the level of {} just below the threshold",
                        l.number(h.baseline.unwrap_or(f64::NAN), d)
                    ),
                },
                (OutcomeScale::Level, Lang::Fr) => match h.baseline_kind {
                    BaselineKind::TreatedBefore => format!(
                        ", soit {size} {direction} que la moyenne du groupe traité avant la mesure ({})",
                        l.number(h.baseline.unwrap_or(f64::NAN), d)
                    ),
                    BaselineKind::Counterfactual => format!(
                        ", soit {size} {direction} que la valeur prédite sans la mesure par la comparaison sur les mêmes périodes ({})",
                        l.number(h.baseline.unwrap_or(f64::NAN), d)
                    ),
                    BaselineKind::BelowCutoff => format!(
                        ", soit {size} {direction} que le niveau juste sous le seuil ({})",
                        l.number(h.baseline.unwrap_or(f64::NAN), d)
                    ),
                },
            }
        });
        let first = match l {
            Lang::En => format!(
                "{} changed {} by {effect}{units} ({ci}){}.",
                self.treatment,
                self.outcome,
                relative.unwrap_or_default()
            ),
            Lang::Fr => format!(
                "{} a modifié {} de {effect}{units} ({ci}){}.",
                self.treatment,
                self.outcome,
                relative.unwrap_or_default()
            ),
        };
        let second = if h.excludes_zero() {
            l.pick(
                " The interval excludes zero: the data are hard to reconcile with no effect.",
                " L'intervalle exclut zéro\u{202F}: les données s'accordent mal avec une absence d'effet.",
            )
        } else {
            l.pick(
                " The interval includes zero: the data are consistent with no effect, as with the effects at either end of the interval.",
                " L'intervalle contient zéro\u{202F}: les données sont compatibles avec une absence d'effet, comme avec les effets aux deux bornes de l'intervalle.",
            )
        };
        l.typeset(&format!("{first}{second}"))
    }

    /// The key figures: the effect, its interval, the relative size, the p-value, then the
    /// caller's.
    pub fn key_figure_rows(&self) -> Vec<(String, String)> {
        let l = self.lang;
        let h = &self.headline;
        let d = h.decimals();
        let mut rows = vec![
            (l.pick("Estimated effect", "Effet estimé").to_string(), l.signed(h.estimate, d)),
            (l.ci_label(h.level), l.interval(h.conf_low, h.conf_high, d)),
            (l.pick("Standard error", "Écart-type").to_string(), l.number(h.std_error, d)),
        ];
        if let Some((r, _, _)) = h.relative() {
            rows.push((l.pick("Relative size", "Ampleur relative").to_string(), l.signed(100.0 * r, 1) + &pct(l)));
        }
        rows.push((l.pick("p-value", "p-valeur").to_string(), l.p_value(h.p_value)));
        rows.extend(self.key_figures.iter().cloned());
        rows
    }

    /// The brief as one self-contained HTML document (inline CSS and SVG, no JavaScript).
    pub fn to_html(&self) -> String {
        let l = self.lang;
        let e = escape_html;
        format!(
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"phare {}\">\n<title>{}</title>\n</head>\n<body>\n{}</body>\n</html>\n",
            l.code(),
            e(&self.reproducibility.phare_version),
            e(&l.typeset(&self.title)),
            self.to_html_fragment()
        )
    }

    /// The brief as an HTML fragment (its style sheet, scoped to `.phare-brief`, then the content):
    /// the body of [`Brief::to_html`], and what a notebook displays, so the two never disagree.
    pub fn to_html_fragment(&self) -> String {
        let l = self.lang;
        let e = escape_html;
        let mut s = format!("<style>\n{CSS}</style>\n<main class=\"phare-brief\" lang=\"{}\">\n", l.code());
        s.push_str(&format!("<h1>{}</h1>\n", e(&l.typeset(&self.title))));
        if let Some(q) = &self.question {
            s.push_str(&format!("<p class=\"question\">{}</p>\n", e(&l.typeset(q))));
        }
        s.push_str(&format!("<p class=\"answer\">{}</p>\n", e(&self.answer())));
        s.push_str(&format!(
            "<section class=\"key-figures\">\n<h2>{}</h2>\n<dl>\n",
            l.pick("Key figures", "Chiffres clés")
        ));
        for (k, v) in self.key_figure_rows() {
            s.push_str(&format!("<div><dt>{}</dt><dd>{}</dd></div>\n", e(&k), e(&v)));
        }
        s.push_str("</dl>\n</section>\n");
        for (i, f) in self.figures.iter().enumerate() {
            s.push_str(&format!(
                "<figure{}>\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
                if i == 0 { " class=\"headline\"" } else { "" },
                f.svg.trim(),
                e(&f.caption)
            ));
        }
        if !self.robustness.is_empty() {
            s.push_str(&format!(
                "<section>\n<h2>{}</h2>\n",
                l.pick("Robustness across estimators", "Robustesse selon l'estimateur")
            ));
            s.push_str(&self.robustness_html());
            s.push_str("</section>\n");
        }
        if !self.checks.is_empty() {
            s.push_str(&format!(
                "<section>\n<h2>{}</h2>\n<ul class=\"checks\">\n",
                l.pick("Diagnostics", "Diagnostics")
            ));
            for c in &self.checks {
                s.push_str(&format!(
                    "<li class=\"{}\"><span class=\"verdict\">{}</span> <strong>{}</strong>{} {}<br>{}</li>\n",
                    c.verdict.css(),
                    c.verdict.label(l),
                    e(&c.name),
                    colon(l),
                    e(&c.result),
                    e(&c.explanation)
                ));
            }
            s.push_str("</ul>\n</section>\n");
        }
        s.push_str(&format!("<section class=\"methods\">\n<h2>{}</h2>\n<dl>\n", l.pick("Methods", "Méthode")));
        for (k, v) in self.methods_rows() {
            s.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", e(k), e(v)));
        }
        s.push_str("</dl>\n</section>\n");
        if !self.limits.is_empty() {
            s.push_str(&format!("<section>\n<h2>{}</h2>\n<ul>\n", l.pick("Limits", "Limites")));
            for x in &self.limits {
                s.push_str(&format!("<li>{}</li>\n", e(x)));
            }
            s.push_str("</ul>\n</section>\n");
        }
        s.push_str(&format!(
            "<section class=\"annex\">\n<h2>{}</h2>\n<dl>\n",
            l.pick("Reproducibility", "Reproductibilité")
        ));
        for (k, v) in self.annex_rows() {
            s.push_str(&format!("<dt>{}</dt><dd><code>{}</code></dd>\n", e(&k), e(&v)));
        }
        s.push_str("</dl>\n</section>\n</main>\n");
        s
    }

    /// The brief as Markdown, with each figure as a separate SVG file under `figures/`.
    pub fn to_markdown(&self) -> MarkdownBrief {
        let l = self.lang;
        let m = escape_markdown;
        let mut s = format!("# {}\n\n", m(&l.typeset(&self.title)));
        if let Some(q) = &self.question {
            s.push_str(&format!("*{}*\n\n", m(&l.typeset(q))));
        }
        s.push_str(&format!("**{}**\n\n", m(&self.answer())));
        s.push_str(&format!("## {}\n\n| | |\n|---|---:|\n", l.pick("Key figures", "Chiffres clés")));
        for (k, v) in self.key_figure_rows() {
            s.push_str(&format!("| {} | {} |\n", m(&k), m(&v)));
        }
        s.push('\n');
        let mut files = Vec::new();
        for f in &self.figures {
            let path = format!("figures/{}.svg", safe_stem(&f.name));
            s.push_str(&format!("![{}]({path})\n\n*{}*\n\n", m(&f.caption), m(&f.caption)));
            files.push((path, f.svg.clone()));
        }
        if !self.robustness.is_empty() {
            let d = self.headline.decimals();
            s.push_str(&format!(
                "## {}\n\n| {} | {} | {} | {} | |\n|---|---:|---:|---:|---|\n",
                l.pick("Robustness across estimators", "Robustesse selon l'estimateur"),
                l.pick("Estimator", "Estimateur"),
                l.pick("Estimate", "Estimation"),
                l.pick("Std. error", "Écart-type"),
                l.ci_label(self.headline.level)
            ));
            for r in &self.robustness {
                s.push_str(&format!(
                    "| {} | {} | {} | {} | {} |\n",
                    m(&r.estimator),
                    l.signed(r.estimate, d),
                    l.number(r.std_error, d),
                    l.interval(r.conf_low, r.conf_high, d),
                    m(&r.note)
                ));
            }
            s.push('\n');
        }
        if !self.checks.is_empty() {
            s.push_str(&format!("## {}\n\n", l.pick("Diagnostics", "Diagnostics")));
            for c in &self.checks {
                s.push_str(&format!(
                    "- **{}** ({}){} {}. {}\n",
                    m(&c.name),
                    c.verdict.label(l),
                    colon(l),
                    m(&c.result),
                    m(&c.explanation)
                ));
            }
            s.push('\n');
        }
        s.push_str(&format!("## {}\n\n", l.pick("Methods", "Méthode")));
        for (k, v) in self.methods_rows() {
            s.push_str(&format!("- **{}**{} {}\n", m(k), colon(l), m(v)));
        }
        s.push('\n');
        if !self.limits.is_empty() {
            s.push_str(&format!("## {}\n\n", l.pick("Limits", "Limites")));
            for x in &self.limits {
                s.push_str(&format!("- {}\n", m(x)));
            }
            s.push('\n');
        }
        s.push_str(&format!("## {}\n\n", l.pick("Reproducibility", "Reproductibilité")));
        for (k, v) in self.annex_rows() {
            // Escaped text rather than code spans: a code span would show user text raw.
            s.push_str(&format!("- {}{} {}\n", m(&k), colon(l), m(&v)));
        }
        MarkdownBrief { markdown: s, files }
    }

    fn robustness_html(&self) -> String {
        let l = self.lang;
        let d = self.headline.decimals();
        let mut s = format!(
            "<table class=\"phare-table\">\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th></th></tr></thead>\n<tbody>\n",
            l.pick("Estimator", "Estimateur"),
            l.pick("Estimate", "Estimation"),
            l.pick("Std. error", "Écart-type"),
            escape_html(&l.ci_label(self.headline.level))
        );
        for r in &self.robustness {
            s.push_str(&format!(
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
                escape_html(&r.estimator),
                l.signed(r.estimate, d),
                l.number(r.std_error, d),
                escape_html(&l.interval(r.conf_low, r.conf_high, d)),
                escape_html(&r.note)
            ));
        }
        s.push_str("</tbody>\n</table>\n");
        s
    }

    fn methods_rows(&self) -> Vec<(&'static str, &str)> {
        let l = self.lang;
        let m = &self.methods;
        [
            (l.pick("Design", "Stratégie d'identification"), m.design.as_str()),
            (l.pick("Identifying assumption", "Hypothèse d'identification"), m.assumption.as_str()),
            (l.pick("Estimator", "Estimateur"), m.estimator.as_str()),
            (l.pick("Variance estimator", "Estimation de la variance"), m.variance.as_str()),
            (l.pick("Data source", "Source des données"), m.data_source.as_str()),
            (l.pick("Data vintage", "Millésime des données"), m.vintage.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect()
    }

    fn annex_rows(&self) -> Vec<(String, String)> {
        let l = self.lang;
        let r = &self.reproducibility;
        let mut rows = vec![(l.pick("phare version", "version de phare").to_string(), r.phare_version.clone())];
        if let Some(c) = &r.command {
            rows.push((l.pick("Command", "Commande").to_string(), c.clone()));
        }
        if let Some(seed) = r.seed {
            rows.push((l.pick("Seed", "Graine").to_string(), seed.to_string()));
        }
        rows.extend(r.parameters.iter().cloned());
        for (name, hash) in &r.inputs {
            rows.push((format!("SHA-256 {name}"), hash.clone()));
        }
        rows
    }
}

/// `%` with the language's spacing.
fn pct(l: Lang) -> String {
    match l {
        Lang::En => "%".into(),
        Lang::Fr => format!("{NNBSP}%"),
    }
}

/// A colon with the language's spacing (French puts a no-break space before it).
fn colon(l: Lang) -> String {
    match l {
        Lang::En => ":".into(),
        Lang::Fr => format!("{NBSP}:"),
    }
}

/// A file stem made safe: letters, digits, `-` and `_`; anything else becomes `_`.
fn safe_stem(name: &str) -> String {
    let s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    if s.is_empty() { "figure".into() } else { s }
}

/// The brief's style sheet: readable on screen and in print, colour-blind-safe verdict colours
/// (Okabe–Ito), no web font.
const CSS: &str = r#"body { margin: 0; background: #fff; }
.phare-brief { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1a1a1a; background: #fff; line-height: 1.5; max-width: 52rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
.phare-brief h1 { font-size: 1.7rem; line-height: 1.25; margin: 0 0 .5rem; }
.phare-brief h2 { font-size: 1.15rem; margin: 2rem 0 .6rem; border-bottom: 2px solid #0072B2; padding-bottom: .2rem; }
.phare-brief .question { color: #444; font-style: italic; margin: 0 0 1rem; }
.phare-brief .answer { font-size: 1.15rem; background: #eef5fb; border-left: 5px solid #0072B2; padding: .8rem 1rem; margin: 1rem 0; }
.phare-brief .key-figures dl { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: .6rem; margin: 0; }
.phare-brief .key-figures div { border: 1px solid #d0d7de; border-radius: 6px; padding: .5rem .7rem; }
.phare-brief .key-figures dt { font-size: .8rem; color: #555; }
.phare-brief .key-figures dd { margin: 0; font-size: 1.2rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.phare-brief figure { margin: 1.5rem 0; }
.phare-brief figure svg { max-width: 100%; height: auto; }
.phare-brief figcaption { font-size: .9rem; color: #444; }
.phare-brief table.phare-table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
.phare-brief table.phare-table th, .phare-brief table.phare-table td { padding: .3rem .6rem; border-bottom: 1px solid #d0d7de; text-align: left; }
.phare-brief table.phare-table td.num { text-align: right; white-space: nowrap; }
.phare-brief table.phare-table thead th { border-bottom: 2px solid #1a1a1a; }
.phare-brief ul.checks { list-style: none; padding: 0; }
.phare-brief ul.checks li { border-left: 5px solid #999; padding: .4rem .8rem; margin: .5rem 0; background: #fafafa; }
.phare-brief ul.checks li.ok { border-color: #009E73; }
.phare-brief ul.checks li.caution { border-color: #E69F00; }
.phare-brief ul.checks li.problem { border-color: #D55E00; }
.phare-brief .verdict { font-size: .75rem; text-transform: uppercase; letter-spacing: .05em; color: #555; }
.phare-brief .methods dt, .phare-brief .annex dt { font-weight: 600; }
.phare-brief .methods dd, .phare-brief .annex dd { margin: 0 0 .5rem; }
.phare-brief .annex code { font-size: .8rem; word-break: break-all; }
@media print { .phare-brief { padding: 0; } .phare-brief .answer { background: none; } }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn brief(lang: Lang) -> Brief {
        Brief {
            lang,
            title: "Minimum wage <script>alert(1)</script>".into(),
            question: Some("Did it work?".into()),
            treatment: "Raising the minimum wage".into(),
            outcome: "teen employment".into(),
            headline: Headline {
                estimator: "CS".into(),
                estimate: -0.0400,
                std_error: 0.0118,
                conf_low: -0.0631,
                conf_high: -0.0169,
                level: 0.95,
                p_value: 0.0007,
                scale: OutcomeScale::Log,
                baseline: None,
                baseline_kind: BaselineKind::TreatedBefore,
            },
            key_figures: vec![("Counties".into(), "500".into())],
            figures: vec![Figure { name: "event study".into(), caption: "c".into(), svg: "<svg></svg>".into() }],
            robustness: vec![RobustnessRow {
                estimator: "TWFE".into(),
                estimate: -0.0365,
                std_error: 0.0131,
                conf_low: -0.062,
                conf_high: -0.011,
                note: "<b>".into(),
            }],
            checks: vec![Check {
                name: "Pre-trends".into(),
                result: "p = 0.2".into(),
                verdict: Verdict::Reassuring,
                explanation: "fine".into(),
            }],
            methods: Methods { design: "DiD".into(), ..Methods::default() },
            limits: vec!["One state.".into()],
            reproducibility: Reproducibility {
                phare_version: "0.1.0".into(),
                seed: Some(7),
                inputs: vec![("mpdta".into(), "abc".into())],
                ..Reproducibility::default()
            },
        }
    }

    #[test]
    fn the_answer_states_the_effect_its_interval_and_relative_size() {
        let en = brief(Lang::En).answer();
        assert!(en.starts_with("Raising the minimum wage changed teen employment by \u{2212}0.040 log points"), "{en}");
        assert!(en.contains("95% CI [\u{2212}0.063, \u{2212}0.017]"), "{en}");
        assert!(en.contains("about 3.9% lower"), "{en}");
        assert!(en.contains("excludes zero"), "{en}");
        let fr = brief(Lang::Fr).answer();
        assert!(fr.contains("IC à 95\u{202F}% [\u{2212}0,063\u{202F}; \u{2212}0,017]"), "{fr}");
        assert!(fr.contains("3,9\u{202F}% de moins"), "{fr}");
    }

    #[test]
    fn html_is_self_contained_and_escapes_user_text() {
        let html = brief(Lang::En).to_html();
        assert!(!html.contains("<script"), "a user string became markup");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("&lt;b&gt;"));
        assert!(!html.contains("http://") && !html.contains("https://"), "external asset");
        assert!(html.contains("<svg></svg>"));
        assert!(html.contains("<html lang=\"en\">"));
    }

    #[test]
    fn markdown_links_its_figures() {
        let md = brief(Lang::Fr).to_markdown();
        assert_eq!(md.files.len(), 1);
        assert_eq!(md.files[0].0, "figures/event_study.svg");
        assert!(md.markdown.contains("](figures/event_study.svg)"));
        assert!(md.markdown.contains("## Chiffres clés"));
        assert!(md.markdown.contains("&lt;script&gt;"));
    }
}
