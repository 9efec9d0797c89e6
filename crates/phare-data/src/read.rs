//! Reading CSV, Parquet and Arrow IPC files into polars.
//!
//! Administrative exports are rarely clean UTF-8 with commas. French ones in particular use `;` as the
//! separator, a comma as the decimal mark, Windows-1252 for accented names, and carry codes that look
//! numeric but are not (`01004`, `2A004`, SIREN numbers). [`scan`] handles all of this before polars
//! sees the data:
//!
//! 1. the separator is sniffed among `,` `;` `|` and tab unless given;
//! 2. a decimal comma is detected (values like `12,5` in a non-comma file) unless given;
//! 3. the file is checked to be UTF-8; if not (or if asked), it is transcoded from Windows-1252;
//! 4. every row is checked to have as many fields as the header, so a ragged file fails with the line
//!    number instead of silently filling values with nulls;
//! 5. code-like columns (leading zeros, letters inside digits, names such as `code_insee`, `siren`,
//!    `cp`, `depcom`) are read as text so that no code loses its leading zero.
//!
//! Everything phare decided is returned in a [`ReadReport`], so a brief can say how its input was read.
//! The input file is only ever opened for reading.

use crate::engine::file_err;
use phare_core::{Diagnostic, Error, Result};
use polars::prelude::*;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file format phare reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Delimited text (`.csv`, `.tsv`, `.txt`).
    Csv,
    /// Apache Parquet (`.parquet`, `.pq`).
    Parquet,
    /// Arrow IPC file, a.k.a. Feather v2 (`.arrow`, `.ipc`, `.feather`).
    Ipc,
}

impl Format {
    /// The format implied by a file's extension.
    pub fn from_path(path: &Path) -> Result<Format> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "tsv" | "txt" | "tab" => Ok(Format::Csv),
            "parquet" | "pq" => Ok(Format::Parquet),
            "arrow" | "ipc" | "feather" => Ok(Format::Ipc),
            _ => Err(Error::InvalidArgument {
                name: "format".into(),
                value: format!("`{}`", path.display()),
                reason: format!(
                    "cannot tell the format from the extension `{ext}`; known: csv, tsv, txt, parquet, pq, arrow, ipc, feather"
                ),
                hint: Some("rename the file or pass the format explicitly (`--input-format csv`)".into()),
            }),
        }
    }

    /// Parses a user-given format name.
    pub fn parse(name: &str) -> Result<Format> {
        match name.to_ascii_lowercase().as_str() {
            "csv" | "tsv" | "txt" => Ok(Format::Csv),
            "parquet" | "pq" => Ok(Format::Parquet),
            "ipc" | "arrow" | "feather" => Ok(Format::Ipc),
            _ => Err(Error::unknown_option("format", name, &["csv", "parquet", "ipc"])),
        }
    }
}

/// The text encoding of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// UTF-8 if the whole file is valid UTF-8, Windows-1252 otherwise (reported as a diagnostic).
    #[default]
    Auto,
    /// UTF-8; invalid bytes are an error naming their line.
    Utf8,
    /// Windows-1252 (a superset of Latin-1 for printable characters), transcoded to UTF-8.
    Windows1252,
}

impl Encoding {
    /// Parses a user-given encoding name (`utf-8`, `windows-1252`, `cp1252`, `latin-1`, `auto`).
    pub fn parse(name: &str) -> Result<Encoding> {
        match name.to_ascii_lowercase().replace('_', "-").as_str() {
            "auto" => Ok(Encoding::Auto),
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "windows-1252" | "cp1252" | "latin-1" | "latin1" | "iso-8859-1" | "iso-8859-15" => {
                Ok(Encoding::Windows1252)
            }
            _ => Err(Error::unknown_option("encoding", name, &["auto", "utf-8", "windows-1252", "latin-1"])),
        }
    }
}

/// How to read a file. The defaults detect everything; set a field to force a choice.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// The format; `None` means "from the extension".
    pub format: Option<Format>,
    /// CSV separator; `None` means "sniff among `,` `;` `|` tab".
    pub separator: Option<u8>,
    /// CSV decimal comma; `None` means "detect".
    pub decimal_comma: Option<bool>,
    /// CSV encoding.
    pub encoding: Encoding,
    /// CSV columns always read as text, whatever they look like.
    pub text_columns: Vec<String>,
    /// Detect code-like CSV columns and read them as text (on by default).
    pub detect_codes: bool,
    /// CSV strings read as missing, in addition to empty fields.
    pub null_values: Vec<String>,
    /// How many CSV rows polars looks at to guess column types.
    pub infer_schema_rows: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: None,
            separator: None,
            decimal_comma: None,
            encoding: Encoding::Auto,
            text_columns: Vec::new(),
            detect_codes: true,
            null_values: vec!["NA".into()],
            infer_schema_rows: 10_000,
        }
    }
}

impl ReadOptions {
    /// Forces the CSV separator.
    pub fn separator(mut self, sep: u8) -> Self {
        self.separator = Some(sep);
        self
    }
    /// Forces (or forbids) the decimal comma.
    pub fn decimal_comma(mut self, yes: bool) -> Self {
        self.decimal_comma = Some(yes);
        self
    }
    /// Forces the encoding.
    pub fn encoding(mut self, encoding: Encoding) -> Self {
        self.encoding = encoding;
        self
    }
    /// Reads `column` as text.
    pub fn text_column(mut self, column: impl Into<String>) -> Self {
        self.text_columns.push(column.into());
        self
    }
    /// Forces the format.
    pub fn format(mut self, format: Format) -> Self {
        self.format = Some(format);
        self
    }

    /// Parses a user-given separator: one character, or `tab`, `\t`, `semicolon`, `comma`, `pipe`.
    pub fn parse_separator(s: &str) -> Result<u8> {
        match s {
            "tab" | "\\t" | "\t" => Ok(b'\t'),
            "semicolon" => Ok(b';'),
            "comma" => Ok(b','),
            "pipe" => Ok(b'|'),
            _ if s.len() == 1 && s.is_ascii() && s != "\"" && s != "\n" => Ok(s.as_bytes()[0]),
            _ => Err(Error::InvalidArgument {
                name: "separator".into(),
                value: format!("`{s}`"),
                reason: "a separator is one ASCII character other than a quote or newline".into(),
                hint: Some("use `;`, `,`, `|` or `tab`".into()),
            }),
        }
    }
}

/// What phare decided while reading a file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReadReport {
    /// The file read.
    pub path: PathBuf,
    /// Its format.
    pub format: Format,
    /// The CSV separator used.
    pub separator: Option<char>,
    /// Whether a decimal comma was used.
    pub decimal_comma: bool,
    /// The encoding the file was read as (never `Auto`).
    pub encoding: Option<Encoding>,
    /// Columns read as text because they look like codes or were asked to be.
    pub text_columns: Vec<String>,
    /// What reading noticed.
    pub diagnostics: Vec<Diagnostic>,
}

/// Opens a file as a lazy polars query, after the checks described in the [module docs](self).
///
/// The schema is resolved immediately, so a file that cannot be understood fails here, not later.
pub fn scan(path: impl AsRef<Path>, options: &ReadOptions) -> Result<(LazyFrame, ReadReport)> {
    let path = path.as_ref();
    let format = match options.format {
        Some(f) => f,
        None => Format::from_path(path)?,
    };
    let meta = std::fs::metadata(path).map_err(|e| io_read(path, e))?;
    if meta.is_dir() {
        return Err(Error::FileFormat {
            path: path.into(),
            detail: "this is a directory, not a file".into(),
            hint: Some("give the path of a CSV, Parquet or Arrow file".into()),
        });
    }
    if meta.len() == 0 {
        return Err(Error::FileFormat {
            path: path.into(),
            detail: "the file is empty (0 bytes)".into(),
            hint: Some("was the export interrupted? Re-export the data".into()),
        });
    }
    let mut report = ReadReport {
        path: path.into(),
        format,
        separator: None,
        decimal_comma: false,
        encoding: None,
        text_columns: Vec::new(),
        diagnostics: Vec::new(),
    };
    let lf = match format {
        Format::Csv => scan_csv(path, options, &mut report)?,
        Format::Parquet => {
            let p = pl_path(path)?;
            LazyFrame::scan_parquet(p, ScanArgsParquet::default()).map_err(file_err(path))?
        }
        Format::Ipc => {
            let p = pl_path(path)?;
            LazyFrame::scan_ipc(p, Default::default(), Default::default()).map_err(file_err(path))?
        }
    };
    let mut lf = lf;
    let schema = lf.collect_schema().map_err(file_err(path))?;
    if schema.is_empty() {
        return Err(Error::FileFormat {
            path: path.into(),
            detail: "the file has no columns".into(),
            hint: Some("check that the file has a header row".into()),
        });
    }
    Ok((lf, report))
}

/// Reads a whole file into memory: [`scan`], then collect.
pub fn read(path: impl AsRef<Path>, options: &ReadOptions) -> Result<(DataFrame, ReadReport)> {
    let path = path.as_ref();
    let (lf, report) = scan(path, options)?;
    let df = lf.collect().map_err(file_err(path))?;
    Ok((df, report))
}

/// The SHA-256 of a file, as lowercase hex: briefs record it so a reader can check they have the
/// same input.
pub fn sha256_file(path: impl AsRef<Path>) -> Result<String> {
    let path = path.as_ref();
    let mut f = BufReader::with_capacity(1 << 20, File::open(path).map_err(|e| io_read(path, e))?);
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| io_read(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

/// Lowercase hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn io_read(path: &Path, source: std::io::Error) -> Error {
    let hint = match source.kind() {
        std::io::ErrorKind::NotFound => Some(format!(
            "check the path; relative paths start from the current directory ({})",
            std::env::current_dir().map(|d| d.display().to_string()).unwrap_or_default()
        )),
        std::io::ErrorKind::PermissionDenied => Some("check the file's permissions".into()),
        _ => None,
    };
    Error::Io { action: "read", path: path.into(), source, hint }
}

fn pl_path(path: &Path) -> Result<PlRefPath> {
    PlRefPath::try_from_path(path).map_err(file_err(path))
}

const SNIFF_BYTES: usize = 64 * 1024;
const CANDIDATES: [u8; 4] = [b';', b',', b'\t', b'|'];

fn scan_csv(path: &Path, options: &ReadOptions, report: &mut ReadReport) -> Result<LazyFrame> {
    let mut head = vec![0u8; SNIFF_BYTES];
    let n = {
        let mut f = File::open(path).map_err(|e| io_read(path, e))?;
        read_up_to(&mut f, &mut head).map_err(|e| io_read(path, e))?
    };
    head.truncate(n);
    let bom = head.starts_with(&[0xEF, 0xBB, 0xBF]);
    let head_text = decode_lossy(&head, options.encoding);
    let lines: Vec<&str> = complete_lines(&head_text, n < SNIFF_BYTES).take(200).collect();
    if lines.iter().all(|l| l.trim().is_empty()) {
        return Err(Error::FileFormat {
            path: path.into(),
            detail: "the file has no header row (only blank lines)".into(),
            hint: Some("the first line must name the columns".into()),
        });
    }
    let separator = match options.separator {
        Some(s) => s,
        None => sniff_separator(&lines),
    };
    let sample: Vec<Vec<String>> =
        lines.iter().filter(|l| !l.trim().is_empty()).map(|l| split_fields(l, separator)).collect();
    let header = sample[0].clone();
    check_header(path, &header)?;

    // One pass over the whole file: ragged rows and UTF-8 validity.
    let pass = full_pass(path, separator, header.len())?;
    if let Some(r) = pass.ragged {
        return Err(Error::FileFormat {
            path: path.into(),
            detail: format!(
                "line {} has {} field{} but the header has {} (separator `{}`)",
                r.line,
                r.found,
                if r.found == 1 { "" } else { "s" },
                header.len(),
                show_sep(separator)
            ),
            hint: Some(
                "check the separator (`--sep`), unbalanced quotes, or a separator character inside an unquoted value"
                    .into(),
            ),
        });
    }
    let encoding = match (options.encoding, pass.invalid_utf8) {
        (Encoding::Utf8, Some(at)) => {
            return Err(Error::FileFormat {
                path: path.into(),
                detail: format!("invalid UTF-8 at byte {} (line {})", at.byte, at.line),
                hint: Some("the file is probably Windows-1252/Latin-1: pass `--encoding windows-1252`".into()),
            });
        }
        (Encoding::Auto, Some(at)) => {
            report.diagnostics.push(Diagnostic::note(
                "encoding_detected",
                format!("not valid UTF-8 (first invalid byte at line {}); read as Windows-1252", at.line),
            ));
            Encoding::Windows1252
        }
        (Encoding::Auto, None) => Encoding::Utf8,
        (e, _) => e,
    };

    let decimal_comma = match options.decimal_comma {
        Some(d) => d,
        None => separator != b',' && detect_decimal_comma(&sample[1..]),
    };
    if decimal_comma && separator == b',' {
        return Err(Error::InvalidArgument {
            name: "decimal_comma".into(),
            value: "true".into(),
            reason: "a decimal comma cannot be used with `,` as the separator".into(),
            hint: Some("files with decimal commas use `;` as the separator; pass `--sep ';'`".into()),
        });
    }

    let mut text: Vec<String> = Vec::new();
    for c in &options.text_columns {
        if !header.contains(c) {
            return Err(Error::column_not_found(c, &header));
        }
        text.push(c.clone());
    }
    if options.detect_codes {
        for (j, name) in header.iter().enumerate() {
            if !text.contains(name)
                && is_code_like(name, sample[1..].iter().filter_map(|r| r.get(j).map(String::as_str)))
            {
                text.push(name.clone());
            }
        }
    }
    if !text.is_empty() {
        report.diagnostics.push(Diagnostic::note(
            "text_columns",
            format!("read as text (codes keep their leading zeros): {}", text.join(", ")),
        ));
    }
    let overwrite: Schema = text.iter().map(|c| Field::new(c.as_str().into(), DataType::String)).collect();
    let nulls: Vec<PlSmallStr> = options.null_values.iter().map(|s| s.as_str().into()).collect();

    report.separator = Some(separator as char);
    report.decimal_comma = decimal_comma;
    report.encoding = Some(encoding);
    report.text_columns = text;

    let parse = CsvParseOptions::default()
        .with_separator(separator)
        .with_decimal_comma(decimal_comma)
        .with_null_values((!nulls.is_empty()).then(|| NullValues::AllColumns(nulls)));
    if encoding == Encoding::Windows1252 || bom {
        // Transcode (or strip the byte-order mark) in memory; polars then parses UTF-8.
        let bytes = std::fs::read(path).map_err(|e| io_read(path, e))?;
        let utf8: Vec<u8> = match encoding {
            Encoding::Windows1252 => {
                encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes).0.into_owned().into_bytes()
            }
            _ => bytes[3..].to_vec(),
        };
        let df = CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(options.infer_schema_rows))
            .with_schema_overwrite(Some(Arc::new(overwrite)))
            .with_parse_options(parse)
            .into_reader_with_file_handle(Cursor::new(utf8))
            .finish()
            .map_err(file_err(path))?;
        Ok(df.lazy())
    } else {
        LazyCsvReader::new(pl_path(path)?)
            .with_has_header(true)
            .with_infer_schema_length(Some(options.infer_schema_rows))
            .with_dtype_overwrite(Some(Arc::new(overwrite)))
            .map_parse_options(|_| parse.clone())
            .finish()
            .map_err(file_err(path))
    }
}

fn show_sep(sep: u8) -> String {
    if sep == b'\t' { "tab".into() } else { (sep as char).to_string() }
}

fn read_up_to(f: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        let k = f.read(&mut buf[n..])?;
        if k == 0 {
            break;
        }
        n += k;
    }
    Ok(n)
}

fn decode_lossy(bytes: &[u8], encoding: Encoding) -> String {
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    match encoding {
        Encoding::Windows1252 => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned(),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// The lines of the sniffed head; the last one is dropped unless the whole file was read, since it may
/// be cut in the middle.
fn complete_lines(text: &str, whole_file: bool) -> impl Iterator<Item = &str> {
    let body = if whole_file { text } else { text.rfind('\n').map_or(text, |i| &text[..i]) };
    body.lines()
}

/// Splits one line on `sep`, honouring double quotes (`""` inside quotes is a literal quote).
fn split_fields(line: &str, sep: u8) -> Vec<String> {
    let sep = sep as char;
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if in_quotes && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => in_quotes = !in_quotes,
            c if c == sep && !in_quotes => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Picks the separator that splits every sampled line into the same number (> 1) of fields; among
/// those, the one giving the most fields. Falls back to the one splitting the header the most.
fn sniff_separator(lines: &[&str]) -> u8 {
    let lines: Vec<&&str> = lines.iter().filter(|l| !l.trim().is_empty()).take(50).collect();
    let mut best: Option<(bool, usize, u8)> = None;
    for sep in CANDIDATES {
        let counts: Vec<usize> = lines.iter().map(|l| split_fields(l, sep).len()).collect();
        let first = counts[0];
        if first < 2 {
            continue;
        }
        let consistent = counts.iter().all(|&c| c == first);
        let key = (consistent, first, sep);
        if best.is_none_or(|b| (key.0, key.1) > (b.0, b.1)) {
            best = Some(key);
        }
    }
    best.map_or(b',', |b| b.2)
}

fn check_header(path: &Path, header: &[String]) -> Result<()> {
    for (i, name) in header.iter().enumerate() {
        if header[..i].contains(name) {
            return Err(Error::FileFormat {
                path: path.into(),
                detail: format!(
                    "the header names column `{name}` twice (columns {} and {})",
                    header.iter().position(|h| h == name).unwrap_or(0) + 1,
                    i + 1
                ),
                hint: Some("rename one of the two columns".into()),
            });
        }
    }
    Ok(())
}

/// A value like `12,5` or `-0.25`: digits, one `mark`, digits.
fn looks_decimal(v: &str, mark: char) -> bool {
    let v = v.trim().trim_start_matches(['-', '+']);
    match v.split_once(mark) {
        Some((a, b)) => {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// A decimal comma is used when some sampled value looks like `12,5` and none looks like `12.5`.
fn detect_decimal_comma(rows: &[Vec<String>]) -> bool {
    let values = || rows.iter().flatten();
    values().any(|v| looks_decimal(v, ',')) && !values().any(|v| looks_decimal(v, '.'))
}

/// Name tokens that mark identifier codes in French and international administrative files.
const CODE_TOKENS: [&str; 18] = [
    "code",
    "codgeo",
    "insee",
    "depcom",
    "siren",
    "siret",
    "cp",
    "codepostal",
    "postal",
    "zip",
    "naf",
    "ape",
    "nir",
    "iris",
    "epci",
    "dep",
    "reg",
    "fips",
];

/// Is this column an identifier code that must stay text? By name (a token in [`CODE_TOKENS`]) or by
/// content (a leading zero as in `01004`, or letters among digits as in `2A004`).
fn is_code_like<'a>(name: &str, values: impl Iterator<Item = &'a str>) -> bool {
    let lower = name.to_lowercase();
    let by_name = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|tok| CODE_TOKENS.contains(&tok) || tok.starts_with("code"));
    if by_name {
        return true;
    }
    values.map(str::trim).any(|v| {
        let leading_zero = v.len() >= 2 && v.starts_with('0') && v.bytes().all(|c| c.is_ascii_digit());
        let mixed = v.len() >= 3
            && v.bytes().next().is_some_and(|c| c.is_ascii_digit())
            && v.bytes().all(|c| c.is_ascii_alphanumeric())
            && v.bytes().any(|c| c.is_ascii_alphabetic())
            && v.bytes().filter(|c| c.is_ascii_digit()).count() >= 2
            && !v.to_ascii_lowercase().contains('e');
        leading_zero || mixed
    })
}

struct Ragged {
    line: usize,
    found: usize,
}

struct InvalidUtf8 {
    byte: u64,
    line: usize,
}

struct Pass {
    ragged: Option<Ragged>,
    invalid_utf8: Option<InvalidUtf8>,
}

/// Streams the file once, counting fields per record (quote-aware) and checking UTF-8.
fn full_pass(path: &Path, sep: u8, expected: usize) -> Result<Pass> {
    let mut f = File::open(path).map_err(|e| io_read(path, e))?;
    let mut buf = vec![0u8; 1 << 20];
    let mut pass = Pass { ragged: None, invalid_utf8: None };
    let (mut line, mut record_line) = (1usize, 1usize);
    let (mut fields, mut in_quotes, mut nonblank) = (1usize, false, false);
    let mut offset: u64 = 0;
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let n = f.read(&mut buf).map_err(|e| io_read(path, e))?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        if pass.invalid_utf8.is_none() {
            // Validate UTF-8 across chunk boundaries by carrying an incomplete trailing sequence.
            let mut data = std::mem::take(&mut carry);
            data.extend_from_slice(chunk);
            let start = offset - (data.len() - n) as u64;
            match std::str::from_utf8(&data) {
                Ok(_) => {}
                Err(e) if e.error_len().is_none() => carry = data[e.valid_up_to()..].to_vec(),
                Err(e) => {
                    let at = e.valid_up_to();
                    let lines_before = data[..at].iter().filter(|&&b| b == b'\n').count();
                    let prior = line + lines_before;
                    pass.invalid_utf8 = Some(InvalidUtf8 { byte: start + at as u64, line: prior });
                }
            }
        }
        for &b in chunk {
            match b {
                b'"' => in_quotes = !in_quotes,
                b'\n' => {
                    line += 1;
                    if !in_quotes {
                        if nonblank && fields != expected && pass.ragged.is_none() {
                            pass.ragged = Some(Ragged { line: record_line, found: fields });
                        }
                        fields = 1;
                        nonblank = false;
                        record_line = line;
                    }
                }
                b'\r' => {}
                _ if b == sep && !in_quotes => {
                    fields += 1;
                    nonblank = true;
                }
                _ => nonblank = true,
            }
        }
        offset += n as u64;
        if pass.ragged.is_some() {
            return Ok(pass);
        }
    }
    if pass.invalid_utf8.is_none() && !carry.is_empty() {
        pass.invalid_utf8 = Some(InvalidUtf8 { byte: offset - carry.len() as u64, line });
    }
    if nonblank && fields != expected && pass.ragged.is_none() {
        pass.ragged = Some(Ragged { line: record_line, found: fields });
    }
    Ok(pass)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_the_separator() {
        assert_eq!(sniff_separator(&["a;b;c", "1;2,5;3"]), b';');
        assert_eq!(sniff_separator(&["a,b,c", "1,2,3"]), b',');
        assert_eq!(sniff_separator(&["a\tb", "1\t2"]), b'\t');
        assert_eq!(sniff_separator(&["a|b|c", "x|y|z"]), b'|');
        assert_eq!(sniff_separator(&["single", "1"]), b',');
    }

    #[test]
    fn splits_quoted_fields() {
        assert_eq!(split_fields(r#"a;"b;c";"d""e""#, b';'), vec!["a", "b;c", "d\"e"]);
    }

    #[test]
    fn decimal_comma_detection() {
        let rows = vec![vec!["01".to_string(), "12,5".to_string()]];
        assert!(detect_decimal_comma(&rows));
        let rows = vec![vec!["12,5".to_string(), "3.25".to_string()]];
        assert!(!detect_decimal_comma(&rows));
    }

    #[test]
    fn code_like_columns() {
        assert!(is_code_like("code_commune", ["1001"].into_iter()));
        assert!(is_code_like("commune", ["01001", "2A004"].into_iter()));
        assert!(is_code_like("x", ["2A004"].into_iter()));
        assert!(!is_code_like("lemp", ["5.2", "1e3", "10"].into_iter()));
        assert!(!is_code_like("countyreal", ["8001", "8019"].into_iter()));
        assert!(!is_code_like("score", ["0"].into_iter()));
    }
}
