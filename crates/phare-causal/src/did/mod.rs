//! Difference-in-differences.
//!
//! - [`TwoByTwo`]: one treated cohort, one comparison group, one period before and one after.
//! - [`CallawaySantAnna`]: staggered adoption, group-time effects ATT(g, t) by outcome regression,
//!   IPW or doubly robust two-period comparisons ([`DidEstimator`]), with aggregations
//!   ([`Aggregation`]) and the multiplier bootstrap.
//! - [`EventStudy`]: event studies by TWFE, Sun–Abraham, Borusyak–Jaravel–Spiess imputation and
//!   Gardner's two-stage regression ([`EventMethod`]).
//! - [`Bacon`]: the Goodman-Bacon decomposition of the TWFE coefficient into 2×2 comparisons.

/// The builder methods every staggered design shares: where cohorts come from (a field
/// `cohorts: Option<CohortSource>`).
macro_rules! cohort_builders {
    () => {
        /// Cohorts from a column holding each unit's first treated period; `never` (often 0)
        /// or a missing value marks never-treated units.
        pub fn cohort_column(mut self, column: &str, never: i64) -> Self {
            self.cohorts = Some($crate::did::CohortSource::Column { name: column.into(), never });
            self
        }
        /// Cohorts from a 0/1 treatment column: each unit's first period with 1.
        pub fn treatment(mut self, column: &str) -> Self {
            self.cohorts = Some($crate::did::CohortSource::Treatment(column.into()));
            self
        }
    };
}
pub(crate) use cohort_builders;

mod bacon;
mod bootstrap;
mod callaway_santanna;
mod event_study;
mod names;
mod pretrend;
mod repeated;
mod two_by_two;
mod two_period;

pub use bacon::{Bacon, BaconComparison, BaconFit, BaconKind};
pub use callaway_santanna::{
    Aggregation, BasePeriod, CallawaySantAnna, CallawaySantAnnaAggregate, CallawaySantAnnaFit,
};
pub use event_study::{EventMethod, EventStudy, EventStudyFit};
pub use pretrend::PretrendTest;
pub use two_by_two::{Comparison, MeansTable, TwoByTwo, TwoByTwoFit};
pub use two_period::DidEstimator;

/// Where units' first treatment periods come from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CohortSource {
    /// A column holding the first treated period; `never` marks never-treated units.
    Column { name: String, never: i64 },
    /// A 0/1 treatment column.
    Treatment(String),
}

impl CohortSource {
    /// The source a design was given, or the error telling how to give one.
    pub(crate) fn required(source: &Option<CohortSource>) -> phare_core::Result<&CohortSource> {
        source.as_ref().ok_or_else(|| phare_core::Error::InvalidArgument {
            name: "cohort".into(),
            value: "(not set)".into(),
            reason: "the design needs to know when units are first treated".into(),
            hint: Some(
                "call cohort_column(\"first_treat\", 0) or treatment(\"treated\") (CLI: --cohort or --treatment)"
                    .into(),
            ),
        })
    }

    /// The panel of `df` with each unit's cohort; its diagnostics are appended to `diagnostics`.
    pub(crate) fn panel(
        &self,
        df: &phare_data::polars::prelude::DataFrame,
        unit: &str,
        time: &str,
        diagnostics: &mut Vec<phare_core::Diagnostic>,
    ) -> phare_core::Result<phare_data::Panel> {
        let panel = phare_data::Panel::new(df, unit, time)?;
        let panel = match self {
            CohortSource::Column { name, never } => panel.with_cohort_column(df, name, *never)?,
            CohortSource::Treatment(name) => panel.with_treatment(df, name)?,
        };
        diagnostics.extend(panel.diagnostics().iter().cloned());
        Ok(panel)
    }
}

/// Anticipation is a number of periods, 0 or more.
pub(crate) fn check_anticipation(a: i64) -> phare_core::Result<()> {
    if a < 0 {
        return Err(phare_core::Error::InvalidArgument {
            name: "anticipation".into(),
            value: a.to_string(),
            reason: "anticipation is a number of periods, 0 or more".into(),
            hint: None,
        });
    }
    Ok(())
}

/// Renumbers present ids densely in order of first appearance; returns ids and their count.
pub(crate) fn renumber(ids: Vec<Option<u32>>) -> (Vec<u32>, usize) {
    let mut map = std::collections::HashMap::new();
    let out = ids
        .into_iter()
        .map(|v| {
            let next = map.len() as u32;
            *map.entry(v).or_insert(next)
        })
        .collect();
    (out, map.len())
}

/// Column `col` of `m` as whole numbers (periods, cohorts read row by row on repeated
/// cross-sections); `name` is the column's name for the error.
pub(crate) fn whole_numbers(
    m: &phare_data::matrix::DesignMatrix,
    col: usize,
    name: &str,
) -> phare_core::Result<Vec<i64>> {
    m.column(col)
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            if v.fract() == 0.0 && v.abs() < 1e15 {
                Ok(v as i64)
            } else {
                Err(phare_core::Error::InvalidValue {
                    place: format!("column `{name}` (row {})", m.source_rows()[i]),
                    value: v.to_string(),
                    reason: "periods and cohorts must be whole numbers".into(),
                    hint: None,
                })
            }
        })
        .collect()
}
