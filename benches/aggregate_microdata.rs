//! Bench: aggregate generated microdata (default 50 million rows) into a commune × year panel.
//!
//! SIMULATED DATA: rows are generated here (commune codes in the French format, years, a wage and a
//! sampling weight); there is no true effect to recover, this measures speed and memory only.
//!
//! Run it with the dev profile, whose dependencies are optimised (see Cargo.toml), so it reuses the
//! test build instead of compiling polars a second time:
//!
//! ```text
//! cargo bench --profile dev --bench aggregate_microdata -- [--rows 50000000] [--files 10] [--batch 4000000]
//! ```
//!
//! It writes the microdata as Parquet files (row groups of 128 Ki rows) in a temporary directory,
//! then runs the same aggregation three ways over a lazy scan of the files, resetting the process's
//! peak-memory counter (Linux `/proc/self/clear_refs`) before each and reporting wall time and peak
//! resident memory (`VmHWM`):
//!
//! - `phare aggregate`: `phare_data::aggregate` (batches on the streaming engine, partials merged);
//! - `polars streaming`: the same group-by as one query on polars' streaming engine;
//! - `polars in-memory`: the same group-by as one query on polars' in-memory engine.
//!
//! The in-memory size of the data (polars' estimate, summed over the generated parts) is printed
//! for comparison. The numbers are copied into docs/performance.md with the date and machine.

use phare_core::SimRng;
use phare_data::polars::prelude::*;
use phare_data::{AggregateOptions, AggregateSpec, Measure, Stat, aggregate_with};
use std::time::Instant;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn proc_status(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// About 35,000 commune codes, as in France: department (01–95, with 2A/2B for Corsica) + 3 digits.
fn commune_codes() -> Vec<String> {
    let mut v = Vec::new();
    for dep in 1..=95u32 {
        let deps: Vec<String> = if dep == 20 { vec!["2A".into(), "2B".into()] } else { vec![format!("{dep:02}")] };
        for d in deps {
            for c in 1..=370u32 {
                v.push(format!("{d}{c:03}"));
            }
        }
    }
    v
}

/// Rows per Parquet row group, as a typical writer (polars, pyarrow, Spark) produces.
const ROW_GROUP: usize = 128 * 1024;

fn main() {
    let rows = arg("--rows", 50_000_000);
    let files = arg("--files", 10).max(1);
    let batch_rows = arg("--batch", AggregateOptions::default().batch_rows).max(1);
    let dir = tempfile::tempdir().expect("temporary directory");
    let codes = commune_codes();
    let t0 = Instant::now();
    let per_file = rows.div_ceil(files);
    let mut rng = SimRng::new(20_261_128);
    let mut paths = Vec::new();
    let mut in_memory = 0usize;
    for f in 0..files {
        let n = per_file.min(rows - f * per_file);
        let mut commune = Vec::with_capacity(n);
        let mut year = Vec::with_capacity(n);
        let mut wage = Vec::with_capacity(n);
        let mut weight = Vec::with_capacity(n);
        for _ in 0..n {
            let r = rng.next_u64();
            commune.push(codes[(r % codes.len() as u64) as usize].as_str());
            year.push(2015 + ((r >> 32) % 10) as i32);
            wage.push(1200.0 + ((r >> 16) % 400_000) as f64 / 100.0);
            weight.push(0.5 + ((r >> 40) % 1000) as f64 / 1000.0);
        }
        let mut df = df! { "commune" => commune, "year" => year, "wage" => wage, "weight" => weight }.expect("frame");
        let path = dir.path().join(format!("part-{f:03}.parquet"));
        let file = std::fs::File::create(&path).expect("create parquet");
        in_memory += df.estimated_size();
        ParquetWriter::new(file).with_row_group_size(Some(ROW_GROUP)).finish(&mut df).expect("write parquet");
        paths.push(path);
    }
    let bytes: u64 = paths.iter().map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)).sum();
    println!(
        "SIMULATED microdata: {rows} rows in {files} Parquet files ({:.0} MiB on disk, {:.0} MiB in memory), generated in {:.1} s\n",
        bytes as f64 / 1048576.0,
        in_memory as f64 / 1048576.0,
        t0.elapsed().as_secs_f64()
    );

    let spec = AggregateSpec::new("commune", "year")
        .measure(Measure::new("wage", Stat::Sum))
        .measure(Measure::new("wage", Stat::Mean))
        .measure(Measure::new("wage", Stat::WeightedMean("weight".into())));
    let pattern = dir.path().join("part-*.parquet");
    let scan = || {
        LazyFrame::scan_parquet(PlRefPath::new(pattern.to_string_lossy().as_ref()), ScanArgsParquet::default())
            .expect("scan")
    };

    println!("phare batch size: {batch_rows} rows\n");
    println!("| method | rows | groups | wall time (s) | peak RSS (MiB) | RSS before (MiB) | rows/s (M) |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for engine in ["phare aggregate", "polars streaming", "polars in-memory"] {
        let resettable = reset_peak();
        let baseline = proc_status("VmRSS:").unwrap_or(0) as f64 / 1024.0;
        let t = Instant::now();
        // The same group-by written directly in polars, for comparison.
        let direct = || {
            scan()
                .group_by([col("commune"), col("year")])
                .agg([
                    len().alias("n"),
                    col("wage").sum().alias("wage_sum"),
                    col("wage").mean().alias("wage_mean"),
                    ((col("wage") * col("weight")).sum() / col("weight").sum()).alias("wage_wmean"),
                ])
                .sort(["commune", "year"], Default::default())
        };
        let out = match engine {
            "phare aggregate" => aggregate_with(scan(), &spec, &AggregateOptions { batch_rows }).expect("aggregate"),
            "polars streaming" => direct().collect_with_engine(Engine::Streaming).expect("collect").unwrap_single(),
            _ => direct().collect().expect("collect"),
        };
        let secs = t.elapsed().as_secs_f64();
        let peak = proc_status("VmHWM:").unwrap_or(0) as f64 / 1024.0;
        let total: i64 = out.column("n").unwrap().cast(&DataType::Int64).unwrap().i64().unwrap().sum().unwrap_or(0);
        assert_eq!(total as usize, rows, "every row is counted once");
        println!(
            "| {engine} | {rows} | {} | {secs:.2} | {peak:.0}{} | {baseline:.0} | {:.1} |",
            out.height(),
            if resettable { "" } else { " (not reset)" },
            rows as f64 / secs / 1e6
        );
    }
}
