//! Bad input gets a typed error that names the culprit and suggests a fix; never a panic.
//!
//! Each test builds one broken input and checks three things: the error's kind, that the message
//! names the file/column/value at fault, and (where phare can know) that a hint is given.

use phare_core::{Error, ErrorKind};
use phare_data::matrix::{DesignMatrix, MissingPolicy};
use phare_data::polars::prelude::*;
use phare_data::read::{Encoding, ReadOptions, read};
use phare_data::{AggregateSpec, Measure, Panel, Roles, Stat, aggregate, datasets, write};
use std::path::PathBuf;

fn file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[track_caller]
fn expect(result: Result<impl std::fmt::Debug, Error>, kind: ErrorKind, mentions: &[&str], hint: bool) -> Error {
    let e = result.expect_err("bad input must be an error");
    assert_eq!(e.kind(), kind, "wrong kind for: {e}");
    let msg = e.to_string();
    for m in mentions {
        assert!(msg.contains(m), "`{msg}` should mention `{m}`");
    }
    assert_eq!(e.hint().is_some(), hint, "hint presence for: {msg}");
    e
}

fn read_bytes(name: &str, bytes: &[u8]) -> Result<DataFrame, Error> {
    let dir = tempfile::tempdir().unwrap();
    let p = file(&dir, name, bytes);
    read(&p, &ReadOptions::default()).map(|r| r.0)
}

fn panel_frame() -> DataFrame {
    df! {
        "unit" => ["a", "a", "b", "b"],
        "year" => [2000i64, 2001, 2000, 2001],
        "y" => [1.0f64, 2.0, 3.0, 4.0],
        "d" => [0i64, 1, 0, 0],
    }
    .unwrap()
}

#[test]
fn missing_file() {
    let e = expect(
        read("/nonexistent/dir/data.csv", &ReadOptions::default()),
        ErrorKind::Io,
        &["/nonexistent/dir/data.csv"],
        true,
    );
    assert!(e.hint().unwrap().contains("current directory"));
}

#[test]
fn empty_file() {
    expect(read_bytes("empty.csv", b""), ErrorKind::FileFormat, &["empty.csv", "empty"], true);
}

#[test]
fn only_blank_lines() {
    expect(read_bytes("blank.csv", b"\n\n\n"), ErrorKind::FileFormat, &["no header"], true);
}

#[test]
fn ragged_row_with_too_few_fields() {
    expect(
        read_bytes("r.csv", b"a;b;c\n1;2;3\n4;5\n6;7;8\n"),
        ErrorKind::FileFormat,
        &["line 3", "2 fields", "header has 3"],
        true,
    );
}

#[test]
fn ragged_row_with_too_many_fields() {
    expect(read_bytes("r.csv", b"a,b\n1,2\n3,4\n5,6,7\n"), ErrorKind::FileFormat, &["line 4", "3 fields"], true);
}

#[test]
fn unknown_extension() {
    expect(read_bytes("data.xlsx", b"a,b\n1,2\n"), ErrorKind::InvalidArgument, &["xlsx"], true);
}

#[test]
fn invalid_utf8_when_utf8_is_forced() {
    let dir = tempfile::tempdir().unwrap();
    let p = file(&dir, "latin.csv", b"nom;x\nRen\xe9;1\nZo\xe9;2\n");
    let e = expect(
        read(&p, &ReadOptions::default().encoding(Encoding::Utf8)),
        ErrorKind::FileFormat,
        &["invalid UTF-8", "line 2"],
        true,
    );
    assert!(e.hint().unwrap().contains("windows-1252"));
}

#[test]
fn duplicated_header_name() {
    expect(read_bytes("d.csv", b"id,x,x\n1,2,3\n"), ErrorKind::FileFormat, &["`x` twice"], true);
}

#[test]
fn unknown_text_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = file(&dir, "t.csv", b"commune,x\n01004,1\n");
    expect(
        read(&p, &ReadOptions::default().text_column("comune")),
        ErrorKind::ColumnNotFound,
        &["comune", "commune"],
        true,
    );
}

#[test]
fn corrupt_parquet() {
    let e = expect(
        read_bytes("c.parquet", b"this is not parquet at all"),
        ErrorKind::FileFormat,
        &["c.parquet", "PAR1"],
        true,
    );
    assert!(e.hint().unwrap().contains("fully written"));
}

#[test]
fn directory_instead_of_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("folder.csv");
    std::fs::create_dir(&p).unwrap();
    expect(read(&p, &ReadOptions::default()), ErrorKind::FileFormat, &["directory"], true);
}

#[test]
fn value_that_breaks_the_inferred_type() {
    // A numeric-looking column whose 20,001st value is text: the type guessed from the first rows is
    // wrong, and the error must say which value and suggest reading the column as text.
    let mut csv = String::from("id,valeur\n");
    for i in 0..20_000 {
        csv.push_str(&format!("{i},{}\n", i % 7));
    }
    csv.push_str("20000,n/d\n");
    expect(read_bytes("late.csv", csv.as_bytes()), ErrorKind::FileFormat, &["n/d"], true);
}

#[test]
fn unknown_column_in_roles_suggests_the_closest() {
    let e =
        expect(Roles::new().outcome("Y").validate(&panel_frame()), ErrorKind::ColumnNotFound, &["`Y`", "`y`"], true);
    assert!(e.hint().unwrap().contains("did you mean `y`"));
}

#[test]
fn non_numeric_outcome() {
    let df = df! { "y" => ["1,5", "2,5"] }.unwrap();
    let e = expect(Roles::new().outcome("y").validate(&df), ErrorKind::ColumnType, &["`y`", "numeric"], true);
    assert!(e.hint().unwrap().contains("decimal comma"), "{e}");
}

#[test]
fn duplicate_unit_time_rows() {
    let df = df! { "unit" => ["a", "a", "b"], "year" => [2000i64, 2000, 2000], "y" => [1.0, 2.0, 3.0] }.unwrap();
    expect(
        Roles::new().unit("unit").time("year").validate(&df),
        ErrorKind::DuplicateKeys,
        &["unit=\"a\"", "year=2000", "1 duplicated row"],
        true,
    );
    expect(Panel::new(&df, "unit", "year"), ErrorKind::DuplicateKeys, &["unit, year"], true);
}

#[test]
fn all_missing_column() {
    let df = df! { "y" => [None::<f64>, None], "x" => [1.0, 2.0] }.unwrap();
    expect(Roles::new().outcome("y").validate(&df), ErrorKind::MissingValues, &["`y`", "2 missing"], true);
}

#[test]
fn missing_unit_identifier() {
    let df = df! { "unit" => [Some("a"), None, Some("b")], "year" => [1i64, 1, 1] }.unwrap();
    expect(Roles::new().unit("unit").validate(&df), ErrorKind::MissingValues, &["`unit`", "row 1"], true);
}

#[test]
fn non_orderable_time() {
    let df = df! { "unit" => ["a", "b"], "period" => ["T1-2020", "T2-2020"] }.unwrap();
    expect(Panel::new(&df, "unit", "period"), ErrorKind::ColumnType, &["`period`", "T1-2020"], true);
}

#[test]
fn fractional_time() {
    let df = df! { "unit" => ["a", "b"], "t" => [2000.5f64, 2001.0] }.unwrap();
    expect(Panel::new(&df, "unit", "t"), ErrorKind::InvalidValue, &["2000.5", "`t`"], true);
}

#[test]
fn non_binary_treatment() {
    let df = df! { "d" => [0i64, 1, 2] }.unwrap();
    expect(Roles::new().treatment("d").validate(&df), ErrorKind::InvalidValue, &["`d`", "row 2", " 2 "], true);
}

#[test]
fn negative_weight() {
    let df = df! { "w" => [1.0f64, -0.5] }.unwrap();
    expect(Roles::new().weights("w").validate(&df), ErrorKind::InvalidValue, &["`w`", "-0.5"], true);
}

#[test]
fn no_treated_unit() {
    let df = panel_frame();
    let p = Panel::new(&df, "unit", "year").unwrap();
    let zero = df.clone().lazy().with_column(lit(0i64).alias("d")).collect().unwrap();
    expect(p.with_treatment(&zero, "d"), ErrorKind::Design, &["no unit is ever treated", "`d`"], true);
}

#[test]
fn every_unit_treated_from_the_start() {
    let df = panel_frame().lazy().with_column(lit(1i64).alias("d")).collect().unwrap();
    let p = Panel::new(&df, "unit", "year").unwrap();
    expect(p.with_treatment(&df, "d"), ErrorKind::Design, &["every unit is treated", "2000"], true);
}

#[test]
fn cohort_varying_within_a_unit() {
    let df = panel_frame().lazy().with_column(col("year").alias("g")).collect().unwrap();
    let p = Panel::new(&df, "unit", "year").unwrap();
    expect(p.with_cohort_column(&df, "g", 0), ErrorKind::InvalidValue, &["`g`", "same in every row"], true);
}

#[test]
fn unknown_dataset() {
    let e = expect(datasets::info("mpdat"), ErrorKind::UnknownDataset, &["mpdat", "mpdta"], true);
    assert!(e.hint().unwrap().contains("`mpdta`"));
}

#[test]
fn unknown_encoding_and_bad_separator() {
    expect(Encoding::parse("utf-9"), ErrorKind::InvalidArgument, &["utf-9"], true);
    expect(ReadOptions::parse_separator(";;"), ErrorKind::InvalidArgument, &[";;"], true);
}

#[test]
fn decimal_comma_with_comma_separator() {
    let dir = tempfile::tempdir().unwrap();
    let p = file(&dir, "x.csv", b"a,b\n1,2\n");
    expect(
        read(&p, &ReadOptions::default().separator(b',').decimal_comma(true)),
        ErrorKind::InvalidArgument,
        &["decimal"],
        true,
    );
}

#[test]
fn missing_values_refused_at_the_matrix_boundary() {
    let df = df! { "x" => [Some(1.0f64), Some(f64::NAN), None] }.unwrap();
    expect(
        DesignMatrix::from_frame(&df, &["x"], MissingPolicy::Error),
        ErrorKind::MissingValues,
        &["`x`", "2 missing", "row 1"],
        true,
    );
}

#[test]
fn aggregate_unknown_or_text_column() {
    let df = df! { "commune" => ["01004", "2A004"], "year" => [2019i64, 2019], "nom" => ["x", "y"] }.unwrap();
    let spec = AggregateSpec::new("commune", "year").measure(Measure::new("salaire", Stat::Sum));
    expect(aggregate(df.clone().lazy(), &spec), ErrorKind::ColumnNotFound, &["salaire"], false);
    let spec = AggregateSpec::new("commune", "year").measure(Measure::new("nom", Stat::Mean));
    expect(aggregate(df.lazy(), &spec), ErrorKind::ColumnType, &["`nom`"], true);
}

#[test]
fn header_only_file_has_no_rows() {
    let df = read_bytes("h.csv", b"unit,year,y\n").unwrap();
    expect(Roles::new().outcome("y").validate(&df), ErrorKind::Design, &["no rows"], true);
}

#[test]
fn never_overwrites_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let p = file(&dir, "in.csv", b"a\n1\n");
    expect(write::refuse_overwriting_input(&p, &p), ErrorKind::InvalidArgument, &["in.csv", "input"], true);
    assert_eq!(std::fs::read(&p).unwrap(), b"a\n1\n");
}

#[test]
fn required_role_not_set() {
    use phare_data::Role;
    expect(Roles::new().require(&[Role::Outcome]), ErrorKind::InvalidArgument, &["outcome"], true);
}

#[test]
fn fractional_cohort() {
    let df = df! { "g" => [Some(2004.0f64), None, Some(2006.5)] }.unwrap();
    expect(Roles::new().cohort("g").validate(&df), ErrorKind::InvalidValue, &["`g`", "2006.5", "row 2"], true);
}
