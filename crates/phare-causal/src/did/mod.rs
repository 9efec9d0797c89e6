//! Difference-in-differences.
//!
//! - [`TwoByTwo`]: one treated cohort, one comparison group, one period before and one after.
//! - [`CallawaySantAnna`]: staggered adoption, group-time effects ATT(g, t) by outcome regression,
//!   IPW or doubly robust two-period comparisons ([`DidEstimator`]), with aggregations
//!   ([`Aggregation`]) and the multiplier bootstrap.
//! - [`EventStudy`]: event studies by TWFE, Sun–Abraham, Borusyak–Jaravel–Spiess imputation and
//!   Gardner's two-stage regression ([`EventMethod`]).
//! - [`Bacon`]: the Goodman-Bacon decomposition of the TWFE coefficient into 2×2 comparisons.

mod bacon;
mod bootstrap;
mod callaway_santanna;
mod event_study;
mod two_by_two;
mod two_period;

pub use bacon::{Bacon, BaconComparison, BaconFit, BaconKind};
pub use callaway_santanna::{
    Aggregation, BasePeriod, CallawaySantAnna, CallawaySantAnnaAggregate, CallawaySantAnnaFit,
};
pub use event_study::{EventMethod, EventStudy, EventStudyFit, PretrendTest};
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
