//! The results contract as polars frames.
//!
//! phare-core defines [`Tidy`] and [`Glance`] without depending on polars (so that estimators and
//! reports stay light); this module gives them their `DataFrame` form, with the column names fixed in
//! [`phare_core::columns`]. Anything implementing [`phare_core::Estimates`] therefore has
//! `fit.tidy().to_frame()` and `fit.glance().to_frame()`.

use crate::engine::engine_err;
use phare_core::{Glance, GlanceValue, Result, Tidy, columns};
use polars::prelude::*;

/// Conversion of a results table into a polars `DataFrame`.
pub trait ToFrame {
    /// The table as a `DataFrame`.
    fn to_frame(&self) -> Result<DataFrame>;
}

impl ToFrame for Tidy {
    fn to_frame(&self) -> Result<DataFrame> {
        let r = &self.rows;
        let f = |g: fn(&phare_core::TidyRow) -> f64| r.iter().map(g).collect::<Vec<f64>>();
        let mut cols = vec![
            Column::new(columns::TERM.into(), r.iter().map(|x| x.term.as_str()).collect::<Vec<_>>()),
            Column::new(columns::ESTIMATE.into(), f(|x| x.estimate)),
            Column::new(columns::STD_ERROR.into(), f(|x| x.std_error)),
            Column::new(columns::STATISTIC.into(), f(|x| x.statistic)),
            Column::new(columns::P_VALUE.into(), f(|x| x.p_value)),
            Column::new(columns::CONF_LOW.into(), f(|x| x.conf_low)),
            Column::new(columns::CONF_HIGH.into(), f(|x| x.conf_high)),
        ];
        let names = self.column_names();
        if names.contains(&columns::REL_PERIOD) {
            cols.push(Column::new(
                columns::REL_PERIOD.into(),
                r.iter().map(|x| x.rel_period.map(|e| e.0)).collect::<Vec<_>>(),
            ));
        }
        if names.contains(&columns::COHORT) {
            cols.push(Column::new(columns::COHORT.into(), r.iter().map(|x| x.cohort).collect::<Vec<_>>()));
        }
        if names.contains(&columns::PERIOD) {
            cols.push(Column::new(columns::PERIOD.into(), r.iter().map(|x| x.period).collect::<Vec<_>>()));
        }
        DataFrame::new_infer_height(cols).map_err(engine_err("building the tidy table"))
    }
}

impl ToFrame for Glance {
    fn to_frame(&self) -> Result<DataFrame> {
        let cols: Vec<Column> = self
            .entries()
            .iter()
            .map(|(name, v)| match v {
                GlanceValue::Int(i) => Column::new(name.as_str().into(), [*i]),
                GlanceValue::Float(x) => Column::new(name.as_str().into(), [*x]),
                GlanceValue::Text(s) => Column::new(name.as_str().into(), [s.as_str()]),
                GlanceValue::Bool(b) => Column::new(name.as_str().into(), [*b]),
            })
            .collect();
        DataFrame::new_infer_height(cols).map_err(engine_err("building the glance table"))
    }
}

/// Looking a column up by name without polars' cached schema.
///
/// polars finds names through a hash map whose hasher is seeded once per copy of the library. In
/// an evcxr notebook every cell is compiled into its own library, so a frame loaded in one cell and
/// read in another misses its own columns (measured: `column lwage not found … did you mean
/// lwage?`). Comparing names works in every setting, and frames are narrow enough for it, so phare
/// reads user frames through this trait.
pub trait ColumnByName {
    /// The column named `name`.
    ///
    /// # Errors
    /// polars' `ColumnNotFound` when no column has that name.
    fn column_named(&self, name: &str) -> PolarsResult<&Column>;
}

impl ColumnByName for DataFrame {
    fn column_named(&self, name: &str) -> PolarsResult<&Column> {
        self.columns()
            .iter()
            .find(|c| c.name().as_str() == name)
            .ok_or_else(|| PolarsError::ColumnNotFound(name.to_string().into()))
    }
}

#[cfg(test)]
mod tests {
    use super::ColumnByName;
    use polars::prelude::*;

    #[test]
    fn columns_are_found_by_comparing_names() {
        let df = df!("a" => [1i64, 2], "lwage" => [0.5, 1.5]).unwrap();
        assert_eq!(df.column_named("lwage").unwrap().name().as_str(), "lwage");
        assert!(matches!(df.column_named("lwag"), Err(PolarsError::ColumnNotFound(_))));
    }
}
