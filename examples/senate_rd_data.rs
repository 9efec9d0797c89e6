//! The U.S. Senate regression-discontinuity data used by rdrobust, read from `datasets/gpl/`.
//!
//! This file is GPL-3.0 licensed (see `datasets/gpl/README.md`), so phare never compiles it into
//! the library: examples read it from disk like any user file. Until the regression-discontinuity
//! design lands, this example describes the running variable around the cutoff.
//!
//! ```text
//! cargo run --example senate_rd_data
//! ```

use phare::prelude::*;
use std::path::Path;

fn main() -> Result<()> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/gpl/rdrobust_senate.csv");
    let (df, report) = read(&path, &ReadOptions::default())?;
    println!("read {} ({} rows); separator {:?}", path.display(), df.height(), report.separator);
    println!("{}", describe(&df, None)?.to_text());

    // How many elections were decided by less than 5 points of margin (running variable `margin`,
    // cutoff 0)?
    let close = df
        .clone()
        .lazy()
        .filter(col("margin").gt(lit(-5.0)).and(col("margin").lt(lit(5.0))))
        .select([col("margin").count().alias("close_races")])
        .collect()
        .map_err(|e| Error::Engine { context: "counting close races".into(), message: e.to_string(), hint: None })?;
    println!("elections within 5 points of the cutoff:\n{close}");
    Ok(())
}
