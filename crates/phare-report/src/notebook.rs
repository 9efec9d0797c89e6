//! Rich display in evcxr Jupyter notebooks.
//!
//! evcxr shows the value of a cell's last expression by calling its `evcxr_display` method when it
//! has one. That method prints each representation framed by evcxr's content protocol:
//!
//! ```text
//! EVCXR_BEGIN_CONTENT text/plain
//! …text…
//! EVCXR_END_CONTENT
//! EVCXR_BEGIN_CONTENT text/html
//! …html…
//! EVCXR_END_CONTENT
//! ```
//!
//! [`Notebook`] gives every phare result that method: fitted models and summaries (their summary
//! as text and HTML), regression tables, charts (inline SVG), decision briefs (the very fragment
//! the HTML brief is made of, so the notebook and the brief never disagree), and polars
//! `DataFrame`s (an HTML table of the first and last rows with a dtype row and the shape). Every
//! user string is escaped. No dependency is needed: the framing is plain text on standard output.
//!
//! ```
//! use phare_report::notebook::{Notebook, frame};
//! let df = phare_data::load_dataset("mpdta").unwrap();
//! let out = df.evcxr_content();
//! assert!(out.starts_with("EVCXR_BEGIN_CONTENT text/plain\n"));
//! assert!(out.contains("2500 rows × 6 columns"));
//! assert_eq!(frame("text/html", "<b>x</b>"), "EVCXR_BEGIN_CONTENT text/html\n<b>x</b>\nEVCXR_END_CONTENT\n");
//! ```

use crate::brief::Brief;
use crate::chart::{
    BaconChart, BandwidthSensitivityChart, CoefficientChart, EventStudyChart, GapChart, LovePlotChart, RdPlotChart,
    SynthPathChart, TrendsChart, WeightsChart,
};
use crate::table::RegressionTable;
use crate::text::escape_html;
use phare_core::{Estimates, Summary};
use phare_data::polars::prelude::{AnyValue, DataFrame};

/// Rows shown from each end of a large `DataFrame`.
pub const FRAME_EDGE_ROWS: usize = 5;
/// Columns shown from each end of a wide `DataFrame`.
pub const FRAME_EDGE_COLUMNS: usize = 10;

/// One representation framed for evcxr: `EVCXR_BEGIN_CONTENT mime`, the body, `EVCXR_END_CONTENT`.
pub fn frame(mime: &str, body: &str) -> String {
    format!("EVCXR_BEGIN_CONTENT {mime}\n{}\nEVCXR_END_CONTENT\n", body.trim_end_matches('\n'))
}

/// A value evcxr displays richly: plain text for consoles, HTML for Jupyter.
pub trait Notebook {
    /// The plain-text representation.
    fn notebook_text(&self) -> String;
    /// The HTML representation (a fragment; user strings escaped).
    fn notebook_html(&self) -> String;
    /// Both representations, framed for evcxr (what [`Notebook::evcxr_display`] prints).
    fn evcxr_content(&self) -> String {
        frame("text/plain", &self.notebook_text()) + &frame("text/html", &self.notebook_html())
    }
    /// Prints [`Notebook::evcxr_content`]: evcxr calls this on a cell's last value.
    fn evcxr_display(&self) {
        print!("{}", self.evcxr_content());
    }
}

impl Notebook for Summary {
    fn notebook_text(&self) -> String {
        self.to_text()
    }
    fn notebook_html(&self) -> String {
        self.to_html()
    }
}

/// Fitted models display their summary.
macro_rules! fits {
    ($($t:ty),+ $(,)?) => {$(
        impl Notebook for $t {
            fn notebook_text(&self) -> String {
                self.summary().to_text()
            }
            fn notebook_html(&self) -> String {
                self.summary().to_html()
            }
        }
    )+};
}

fits!(
    phare_models::FeolsFit,
    phare_models::FeglmFit,
    phare_causal::did::TwoByTwoFit,
    phare_causal::did::CallawaySantAnnaFit,
    phare_causal::did::CallawaySantAnnaAggregate,
    phare_causal::did::EventStudyFit,
    phare_causal::did::BaconFit,
    phare_causal::synth::SyntheticDidFit,
    phare_causal::synth::SyntheticControlFit,
    phare_causal::rd::RdFit,
    phare_causal::rd::DensityFit,
    phare_causal::weighting::WeightingFit,
    phare_causal::weighting::MatchingFit,
);

impl Notebook for RegressionTable {
    fn notebook_text(&self) -> String {
        self.to_markdown()
    }
    fn notebook_html(&self) -> String {
        self.to_html()
    }
}

/// Charts display as inline SVG; as text, a note saying what they are.
macro_rules! charts {
    ($($t:ty),+ $(,)?) => {$(
        impl Notebook for $t {
            fn notebook_text(&self) -> String {
                format!("[{}: shown as SVG in Jupyter]", stringify!($t))
            }
            fn notebook_html(&self) -> String {
                match self.svg() {
                    Ok(svg) => svg,
                    Err(e) => format!("<p class=\"phare-error\">{}</p>", escape_html(&e.to_string())),
                }
            }
        }
    )+};
}

charts!(
    EventStudyChart,
    CoefficientChart,
    TrendsChart,
    BaconChart,
    SynthPathChart,
    GapChart,
    WeightsChart,
    RdPlotChart,
    BandwidthSensitivityChart,
    LovePlotChart,
);

impl Notebook for Brief {
    fn notebook_text(&self) -> String {
        format!("{}\n\n{}", self.title, self.answer())
    }
    fn notebook_html(&self) -> String {
        self.to_html_fragment()
    }
}

impl Notebook for DataFrame {
    fn notebook_text(&self) -> String {
        format!("{self}")
    }
    fn notebook_html(&self) -> String {
        frame_html(self)
    }
}

/// A `DataFrame` as an HTML table: column names, a dtype row, the first and last
/// [`FRAME_EDGE_ROWS`] rows (and [`FRAME_EDGE_COLUMNS`] columns from each end), the shape, and a
/// note when rows or columns were left out.
pub fn frame_html(df: &DataFrame) -> String {
    let (h, w) = df.shape();
    let rows: Vec<Option<usize>> = edges(h, FRAME_EDGE_ROWS);
    let cols: Vec<Option<usize>> = edges(w, FRAME_EDGE_COLUMNS);
    let columns = df.columns();
    let mut s = String::from("<table class=\"phare-frame\">\n<thead>\n<tr>");
    for c in &cols {
        match c {
            Some(j) => s.push_str(&format!("<th>{}</th>", escape_html(columns[*j].name()))),
            None => s.push_str("<th>…</th>"),
        }
    }
    s.push_str("</tr>\n<tr class=\"dtype\">");
    for c in &cols {
        match c {
            Some(j) => s.push_str(&format!("<td><i>{}</i></td>", escape_html(&columns[*j].dtype().to_string()))),
            None => s.push_str("<td></td>"),
        }
    }
    s.push_str("</tr>\n</thead>\n<tbody>\n");
    for r in &rows {
        s.push_str("<tr>");
        for c in &cols {
            let cell = match (r, c) {
                (Some(i), Some(j)) => match columns[*j].get(*i) {
                    Ok(AnyValue::Null) => "null".to_string(),
                    Ok(AnyValue::String(v)) => v.to_string(),
                    Ok(v) => v.to_string(),
                    Err(_) => String::new(),
                },
                _ => "…".to_string(),
            };
            s.push_str(&format!("<td>{}</td>", escape_html(&cell)));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table>\n");
    let mut note = format!("{h} rows × {w} columns");
    if h > 2 * FRAME_EDGE_ROWS || w > 2 * FRAME_EDGE_COLUMNS {
        note.push_str(&format!(
            "; showing the first and last {} rows and {} columns",
            FRAME_EDGE_ROWS.min(h),
            FRAME_EDGE_COLUMNS.min(w)
        ));
    }
    s.push_str(&format!("<p class=\"phare-shape\">{note}</p>"));
    s
}

/// Indices shown from each end of `n` items (`None`: the gap).
fn edges(n: usize, edge: usize) -> Vec<Option<usize>> {
    if n <= 2 * edge {
        (0..n).map(Some).collect()
    } else {
        (0..edge).map(Some).chain(std::iter::once(None)).chain((n - edge..n).map(Some)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phare_data::polars::prelude::*;

    #[test]
    fn content_protocol_framing_is_exact() {
        assert_eq!(frame("text/plain", "a\nb\n"), "EVCXR_BEGIN_CONTENT text/plain\na\nb\nEVCXR_END_CONTENT\n");
        let df = df!("x" => [1i64]).unwrap();
        let out = df.evcxr_content();
        let blocks: Vec<&str> = out.split("EVCXR_END_CONTENT\n").filter(|b| !b.is_empty()).collect();
        assert_eq!(blocks.len(), 2);
        assert!(blocks[0].starts_with("EVCXR_BEGIN_CONTENT text/plain\n"));
        assert!(blocks[1].starts_with("EVCXR_BEGIN_CONTENT text/html\n<table class=\"phare-frame\">"));
    }

    #[test]
    fn the_notebook_shows_the_briefs_own_html_and_the_fits_summary() {
        let spec = crate::study::StudySpec::from_toml(
            "title = \"t <script>\"\npolicy = \"p\"\n[data]\ndataset = \"mpdta\"\n[roles]\noutcome = \"lemp\"\n\
             unit = \"countyreal\"\ntime = \"year\"\ncohort = \"first_treat\"\n[[estimators]]\nmethod = \"twfe\"\n",
            std::path::Path::new("inline"),
        )
        .unwrap();
        let run = crate::study::run(&spec, std::path::Path::new("."), "test").unwrap();
        let fragment = run.brief.notebook_html();
        assert!(run.brief.to_html().contains(&fragment), "the notebook and the brief disagree");
        assert!(fragment.contains("t &lt;script&gt;") && !fragment.contains("<script"));
        let df = phare_data::load_dataset("mpdta").unwrap();
        let fit = phare_causal::did::EventStudy::new("lemp", "countyreal", "year")
            .cohort_column("first_treat", 0)
            .fit(&df)
            .unwrap();
        assert_eq!(fit.notebook_html(), fit.summary().to_html());
        let out = fit.evcxr_content();
        assert!(out.ends_with("EVCXR_END_CONTENT\n") && out.matches("EVCXR_BEGIN_CONTENT").count() == 2);
    }

    #[test]
    fn rd_and_weighting_fits_and_charts_display() {
        let house = phare_data::load_dataset("close_elections_house").unwrap();
        let rd =
            phare_causal::rd::RegressionDiscontinuity::new("score", "demvoteshare").cutoff(0.5).fit(&house).unwrap();
        assert_eq!(rd.notebook_html(), rd.summary().to_html());
        assert!(rd.notebook_text().contains("Robust"));
        let nsw = phare_data::load_dataset("nsw_dw").unwrap();
        let w = phare_causal::weighting::Weighting::new("re78", "treat", &["age", "educ", "re74", "re75"])
            .fit(&nsw)
            .unwrap();
        assert!(w.notebook_html().contains("ATE"));
        let love = LovePlotChart::new(
            w.balance()
                .iter()
                .map(|b| crate::chart::BalanceRow::new(b.covariate.clone(), b.smd_before, b.smd_after))
                .collect(),
        );
        assert!(love.notebook_html().starts_with("<svg"));
        assert!(love.notebook_text().contains("LovePlotChart"));
    }

    #[test]
    fn frames_escape_user_strings_and_truncate_with_a_note() {
        let n = 23usize;
        let df = df!(
            "<script>alert(1)</script>" => (0..n as i64).collect::<Vec<_>>(),
            "name" => (0..n).map(|i| if i == 0 { "<b>&".to_string() } else { format!("u{i}") }).collect::<Vec<_>>()
        )
        .unwrap();
        let html = frame_html(&df);
        assert!(!html.contains("<script") && !html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && html.contains("&lt;b&gt;&amp;"));
        assert!(html.contains("<td><i>i64</i></td>"), "dtype row: {html}");
        assert!(html.contains("23 rows × 2 columns; showing the first and last 5 rows and 2 columns"), "{html}");
        // 5 + gap + 5 body rows, and the last row shown is the last row of the frame.
        assert_eq!(html.matches("<tr>").count(), 1 + 11);
        assert!(html.contains("<td>22</td>") && !html.contains("<td>11</td>"));
        let small = frame_html(&df.head(Some(3)));
        assert!(small.contains("3 rows × 2 columns</p>") && !small.contains("…"));
    }
}
