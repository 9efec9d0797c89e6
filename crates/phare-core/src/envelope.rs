//! The JSON envelope: the public, versioned shape in which the `phare` command line (and anything
//! else) prints a fitted model.
//!
//! ```json
//! {"phare_version": "0.1.0", "design": "did-2x2", "call": "…",
//!  "tidy": [{"term": "ATT", "estimate": …}], "glance": {"nobs": 2500},
//!  "diagnostics": [{"severity": "note", "code": "…", "message": "…"}]}
//! ```
//!
//! Designs add blocks of their own (`weights`, `bandwidths`, `balance`, …) with [`Envelope::with_block`].
//! Adding a block or a glance entry is a compatible change; renaming or removing one is not.

use crate::diagnostic::Diagnostic;
use crate::estimates::{Estimates, TidyRow};
use serde::Serialize;
use serde_json::{Map, Value};

/// The version of phare, recorded in every envelope and brief.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A fitted model in the JSON interface's shape.
#[derive(Debug, Clone, Serialize)]
pub struct Envelope {
    /// The version of phare that produced it.
    pub phare_version: String,
    /// The design's short name.
    pub design: String,
    /// The call that produced the fit.
    pub call: String,
    /// The confidence level of the intervals in `tidy`.
    pub conf_level: f64,
    /// One object per term.
    pub tidy: Vec<TidyRow>,
    /// Model-level facts.
    pub glance: Map<String, Value>,
    /// What the fit noticed.
    pub diagnostics: Vec<Diagnostic>,
    /// Design-specific blocks, flattened into the top level.
    #[serde(flatten)]
    pub blocks: Map<String, Value>,
}

impl Envelope {
    /// The envelope of a fit, intervals at 95 %.
    pub fn from_estimates<E: Estimates + ?Sized>(fit: &E) -> Self {
        let tidy = fit.tidy();
        Envelope {
            phare_version: VERSION.to_string(),
            design: fit.design().to_string(),
            call: fit.call(),
            conf_level: tidy.level.value(),
            tidy: tidy.rows,
            glance: fit.glance().to_json(),
            diagnostics: fit.diagnostics(),
            blocks: Map::new(),
        }
    }

    /// Adds a design-specific block (`weights`, `bandwidths`, …).
    pub fn with_block(mut self, name: &str, value: impl Serialize) -> Self {
        self.blocks.insert(name.to_string(), serde_json::to_value(value).unwrap_or(Value::Null));
        self
    }

    /// Pretty-printed JSON. Non-finite numbers become `null`, as JSON has no NaN.
    pub fn to_json_string(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimates::{Coefficient, Glance};

    struct Fit;
    impl Estimates for Fit {
        fn design(&self) -> &str {
            "toy"
        }
        fn call(&self) -> String {
            "toy(y)".into()
        }
        fn coefficients(&self) -> Vec<Coefficient> {
            vec![Coefficient::new("ATT", 2.0, f64::NAN)]
        }
        fn glance(&self) -> Glance {
            Glance::new().with("nobs", 3usize)
        }
    }

    #[test]
    fn envelope_has_the_contract_fields() {
        let env = Envelope::from_estimates(&Fit).with_block("weights", vec![("CA", 1.0)]);
        let v: Value = serde_json::from_str(&env.to_json_string()).expect("valid JSON");
        for key in ["phare_version", "design", "call", "tidy", "glance", "diagnostics", "weights"] {
            assert!(v.get(key).is_some(), "missing {key}");
        }
        assert_eq!(v["tidy"][0]["term"], "ATT");
        assert_eq!(v["tidy"][0]["std_error"], Value::Null, "NaN must serialise as null");
        assert_eq!(v["glance"]["nobs"], 3);
    }
}
