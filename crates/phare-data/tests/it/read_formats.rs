//! Reading real-world file shapes: French CSV exports (`;`, decimal comma, Windows-1252, commune
//! codes), Parquet, Arrow IPC, and the arrow-rs round trip. Fixtures are generated in a temporary
//! directory by each test, so they document exactly what is being read.

use phare_data::arrow_interop::{from_record_batches, to_record_batches};
use phare_data::polars::prelude::*;
use phare_data::read::{Encoding, Format, ReadOptions, read, scan};
use phare_data::write::write_frame;
use std::path::PathBuf;

fn fixture(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// The French export every analyst meets: `;`, decimal comma, Windows-1252 accents, Corsican codes.
fn french_export() -> Vec<u8> {
    let text = "code_commune;libellé;année;montant;taux\n\
                01004;Ambérieu-en-Bugey;2019;1234,5;0,25\n\
                2A004;Ajaccio;2019;98765,25;1,5\n\
                2B033;Bastia;2020;-12,75;0\n\
                75056;Paris;2020;1000000;12,125\n";
    encoding_rs::WINDOWS_1252.encode(text).0.into_owned()
}

#[test]
fn french_csv_is_read_without_options() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = french_export();
    assert!(std::str::from_utf8(&bytes).is_err(), "the fixture must really be Windows-1252");
    let path = fixture(&dir, "export.csv", &bytes);
    let (df, report) = read(&path, &ReadOptions::default()).unwrap();

    assert_eq!(report.separator, Some(';'));
    assert!(report.decimal_comma);
    assert_eq!(report.encoding, Some(Encoding::Windows1252));
    assert!(report.diagnostics.iter().any(|d| d.code == "encoding_detected"));
    assert_eq!(df.shape(), (4, 5));
    let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
    assert_eq!(names, ["code_commune", "libellé", "année", "montant", "taux"]);

    let codes: Vec<Option<&str>> = df.column("code_commune").unwrap().str().unwrap().iter().collect();
    assert_eq!(codes, [Some("01004"), Some("2A004"), Some("2B033"), Some("75056")]);
    let names: Vec<Option<&str>> = df.column("libellé").unwrap().str().unwrap().iter().collect();
    assert_eq!(names[0], Some("Ambérieu-en-Bugey"));

    let montant: Vec<Option<f64>> = df.column("montant").unwrap().f64().unwrap().iter().collect();
    assert_eq!(montant, [Some(1234.5), Some(98765.25), Some(-12.75), Some(1_000_000.0)]);
    let taux: Vec<Option<f64>> = df.column("taux").unwrap().f64().unwrap().iter().collect();
    assert_eq!(taux, [Some(0.25), Some(1.5), Some(0.0), Some(12.125)]);
    assert!(df.column("année").unwrap().dtype().is_integer());
}

#[test]
fn forced_options_agree_with_detection() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(&dir, "export.txt", &french_export());
    let forced = ReadOptions::default().separator(b';').decimal_comma(true).encoding(Encoding::Windows1252);
    let (a, _) = read(&path, &forced).unwrap();
    let (b, _) = read(&path, &ReadOptions::default()).unwrap();
    assert!(a.equals_missing(&b));
}

#[test]
fn utf8_with_bom_and_crlf() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice("dep;région;valeur\r\n01;Auvergne-Rhône-Alpes;1,5\r\n2A;Corse;2\r\n".as_bytes());
    let path = fixture(&dir, "bom.csv", &bytes);
    let (df, report) = read(&path, &ReadOptions::default()).unwrap();
    assert_eq!(report.encoding, Some(Encoding::Utf8));
    assert_eq!(df.get_column_names()[0].as_str(), "dep", "the BOM must not stick to the first name");
    let dep: Vec<Option<&str>> = df.column("dep").unwrap().str().unwrap().iter().collect();
    assert_eq!(dep, [Some("01"), Some("2A")]);
    let v: Vec<Option<f64>> =
        df.column("valeur").unwrap().cast(&DataType::Float64).unwrap().f64().unwrap().iter().collect();
    assert_eq!(v, [Some(1.5), Some(2.0)]);
    let r: Vec<Option<&str>> = df.column("région").unwrap().str().unwrap().iter().collect();
    assert_eq!(r[0], Some("Auvergne-Rhône-Alpes"));
}

#[test]
fn tab_and_pipe_separators_and_quotes() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = fixture(&dir, "a.tsv", b"id\tname\tx\n1\t\"Dupont, Jean\"\t2.5\n2\t\"O\"\"Neil\"\t3\n");
    let (df, report) = read(&tsv, &ReadOptions::default()).unwrap();
    assert_eq!(report.separator, Some('\t'));
    let names: Vec<Option<&str>> = df.column("name").unwrap().str().unwrap().iter().collect();
    assert_eq!(names, [Some("Dupont, Jean"), Some("O\"Neil")]);
    let pipe = fixture(&dir, "b.txt", b"a|b\n1|2\n3|4\n");
    let (df, report) = read(&pipe, &ReadOptions::default()).unwrap();
    assert_eq!(report.separator, Some('|'));
    assert_eq!(df.shape(), (2, 2));
}

#[test]
fn siret_and_postal_codes_stay_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(&dir, "firms.csv", b"siret,cp,effectif\n00012345600017,01000,12\n55203253400646,75008,3\n");
    let (df, report) = read(&path, &ReadOptions::default()).unwrap();
    assert_eq!(report.separator, Some(','));
    assert!(!report.decimal_comma);
    let siret: Vec<Option<&str>> = df.column("siret").unwrap().str().unwrap().iter().collect();
    assert_eq!(siret, [Some("00012345600017"), Some("55203253400646")]);
    let cp: Vec<Option<&str>> = df.column("cp").unwrap().str().unwrap().iter().collect();
    assert_eq!(cp, [Some("01000"), Some("75008")]);
    assert!(df.column("effectif").unwrap().dtype().is_integer());
    assert_eq!(report.text_columns, ["siret", "cp"]);
}

#[test]
fn explicit_text_column_and_na_marker() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(&dir, "x.csv", b"id,y\n1,NA\n2,3.5\n");
    let (df, _) = read(&path, &ReadOptions::default().text_column("id")).unwrap();
    assert_eq!(df.column("id").unwrap().dtype(), &DataType::String);
    assert_eq!(df.column("y").unwrap().null_count(), 1);
}

fn sample_frame() -> DataFrame {
    df! {
        "commune" => ["01004", "2A004", "2B033"],
        "year" => [2019i64, 2019, 2020],
        "amount" => [Some(1.5f64), None, Some(-3.25)],
        "treated" => [true, false, true],
    }
    .unwrap()
}

#[test]
fn parquet_and_ipc_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    for (name, format) in
        [("x.parquet", Format::Parquet), ("x.arrow", Format::Ipc), ("x.feather", Format::Ipc), ("x.csv", Format::Csv)]
    {
        let mut df = sample_frame();
        let path = dir.path().join(name);
        write_frame(&mut df, &path, None).unwrap();
        let (back, report) = read(&path, &ReadOptions::default()).unwrap();
        assert_eq!(report.format, format);
        assert!(back.equals_missing(&sample_frame()), "{name}: {back}");
        // Lazy scans project and filter without reading everything.
        let (lf, _) = scan(&path, &ReadOptions::default()).unwrap();
        let n = lf.filter(col("year").eq(lit(2019i64))).select([col("commune")]).collect().unwrap();
        assert_eq!(n.height(), 2);
    }
}

#[test]
fn arrow_rs_round_trip() {
    let mut df = sample_frame();
    let batches = to_record_batches(&mut df).unwrap();
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows, 3);
    let schema = batches[0].schema();
    assert_eq!(schema.field(0).name(), "commune");
    assert_eq!(schema.field(1).data_type(), &arrow::datatypes::DataType::Int64);
    let back = from_record_batches(&batches).unwrap();
    assert!(back.equals_missing(&sample_frame()));
}

#[test]
fn arrow_rs_batches_built_by_hand() {
    use arrow::array::{Float64Array, StringArray};
    use arrow::datatypes::{DataType as A, Field, Schema};
    use std::sync::Arc;
    let schema = Arc::new(Schema::new(vec![Field::new("dep", A::Utf8, false), Field::new("y", A::Float64, true)]));
    let b1 = arrow::record_batch::RecordBatch::try_new(
        schema.clone(),
        vec![Arc::new(StringArray::from(vec!["2A", "01"])), Arc::new(Float64Array::from(vec![Some(1.0), None]))],
    )
    .unwrap();
    let b2 = arrow::record_batch::RecordBatch::try_new(
        schema,
        vec![Arc::new(StringArray::from(vec!["75"])), Arc::new(Float64Array::from(vec![Some(2.5)]))],
    )
    .unwrap();
    let df = from_record_batches(&[b1, b2]).unwrap();
    assert_eq!(df.shape(), (3, 2));
    let dep: Vec<Option<&str>> = df.column("dep").unwrap().str().unwrap().iter().collect();
    assert_eq!(dep, [Some("2A"), Some("01"), Some("75")]);
    assert_eq!(df.column("y").unwrap().null_count(), 1);
}
