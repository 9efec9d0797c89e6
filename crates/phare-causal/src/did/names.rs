//! The names of the difference-in-differences options, as the command line and study files write
//! them (`--control notyet`, `est = "ipw"`), parsed in one place so both accept the same words and
//! reject the others with the list of valid ones.

use super::{Aggregation, BasePeriod, Comparison, DidEstimator, EventMethod};
use phare_core::{Error, Result};
use std::str::FromStr;

/// Implements `FromStr` from a table of (name, value): unknown names get
/// [`Error::unknown_option`], which lists the accepted ones and suggests the closest.
macro_rules! named {
    ($ty:ty, $option:literal, [$(($name:literal, $value:expr)),+ $(,)?]) => {
        impl FromStr for $ty {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                match s.trim().to_ascii_lowercase().as_str() {
                    $($name => Ok($value),)+
                    other => Err(Error::unknown_option($option, other, &[$($name),+])),
                }
            }
        }
    };
}

named!(Comparison, "control", [("never", Comparison::NeverTreated), ("notyet", Comparison::NotYetTreated)]);
named!(
    DidEstimator,
    "est",
    [("dr", DidEstimator::DoublyRobust), ("ipw", DidEstimator::Ipw), ("reg", DidEstimator::Regression)]
);
named!(BasePeriod, "base-period", [("varying", BasePeriod::Varying), ("universal", BasePeriod::Universal)]);
named!(
    EventMethod,
    "method",
    [
        ("twfe", EventMethod::Twfe),
        ("sa", EventMethod::SunAbraham),
        ("bjs", EventMethod::Imputation),
        ("gardner", EventMethod::TwoStage)
    ]
);
named!(
    Aggregation,
    "aggregate",
    [
        ("simple", Aggregation::Simple),
        ("dynamic", Aggregation::dynamic()),
        ("group", Aggregation::Group),
        ("calendar", Aggregation::Calendar)
    ]
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_valid_ones() {
        for m in [EventMethod::Twfe, EventMethod::SunAbraham, EventMethod::Imputation, EventMethod::TwoStage] {
            assert_eq!(m.label().parse::<EventMethod>().unwrap(), m);
        }
        assert_eq!("NotYet".parse::<Comparison>().unwrap(), Comparison::NotYetTreated);
        let err = "ipv".parse::<DidEstimator>().unwrap_err().to_string();
        assert!(err.contains("dr, ipw, reg") && err.contains("ipw"), "{err}");
        assert!("weekly".parse::<Aggregation>().is_err());
    }
}
