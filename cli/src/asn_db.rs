//! `clicksift asn-db`: turns the public @ip-location-db/asn CSV files into
//! a MaxMind database that `clicksift::Databases` reads as an ASN database.
//!
//! Each input row is `start,end,asn,org`: an inclusive range of IPv4 or
//! IPv6 addresses, its autonomous system number and the organisation
//! (quoted when it holds a comma). IPv4 and IPv6 files can be given
//! together; the output is one IPv6 database that answers both, laid out
//! like GeoLite2-ASN (`autonomous_system_number`,
//! `autonomous_system_organization`) under the database type
//! [`DATABASE_TYPE`], with the data's CC BY 4.0 attribution in its
//! description.
//!
//! A row that cannot be read is reported with its file and line, skipped
//! and counted; the rest of the input is still written.
//!
//! # Limitations
//!
//! Where ranges overlap, the row read last wins. Ranges inside the IPv6
//! networks that MaxMind databases alias to IPv4 (`::ffff:0:0/96`,
//! Teredo `2001::/32`, 6to4 `2002::/16`) cannot be written: lookups there
//! answer from the embedded IPv4 address instead. Such rows are reported
//! and counted as aliased.

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use ipnet::{IpNet, Ipv4Subnets, Ipv6Subnets};
use mmdb_writer::{IpVersion, Value, Writer};

/// The database type written in the metadata. `Databases` reads it as an
/// ASN database through its `compat=` part, the naming DB-IP uses for
/// files laid out like MaxMind's.
pub const DATABASE_TYPE: &str = "clicksift-ASN (compat=GeoLite2-ASN)";

/// The attribution the CC BY 4.0 licence of the input data asks for.
pub const DESCRIPTION: &str = "IP to ASN data by DB-IP (https://db-ip.com), RouteViews \
    (https://www.routeviews.org) and the NRO (https://www.nro.net), from ip-location-db \
    (https://github.com/sapics/ip-location-db), licensed under CC BY 4.0 \
    (https://creativecommons.org/licenses/by/4.0/); converted to MaxMind DB format by clicksift.";

/// How many row problems a summary keeps word for word; the rest are only
/// counted.
pub const MAX_REPORTED_PROBLEMS: usize = 100;

/// Fields in a row: start, end, asn, org.
const ROW_FIELDS: usize = 4;

/// What a build did.
#[derive(Debug, Default)]
pub struct AsnDbSummary {
    /// Rows read from all inputs.
    pub rows: usize,
    /// Rows written to the database.
    pub written_rows: usize,
    /// CIDR networks inserted for those rows.
    pub networks: usize,
    /// Rows skipped because they could not be read.
    pub bad_rows: usize,
    /// Rows wholly or partly inside IPv4-aliased IPv6 space (see the
    /// module's limitations); their other networks are written.
    pub aliased_rows: usize,
    /// The first [`MAX_REPORTED_PROBLEMS`] bad or aliased rows.
    pub problems: Vec<RowProblem>,
    /// Size of the database written, in bytes.
    pub bytes: usize,
}

impl AsnDbSummary {
    fn report(&mut self, problem: RowProblem) {
        if self.problems.len() < MAX_REPORTED_PROBLEMS {
            self.problems.push(problem);
        }
    }
}

/// One input row that was skipped or only partly written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    /// The input file.
    pub file: PathBuf,
    /// The row's line number, from 1.
    pub line: u64,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

/// Why a database could not be built at all.
#[derive(Debug)]
pub struct AsnDbError {
    path: PathBuf,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl AsnDbError {
    fn new(
        path: &Path,
        message: &str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> AsnDbError {
        AsnDbError {
            path: path.to_owned(),
            message: message.to_owned(),
            source: Some(source.into()),
        }
    }
}

impl fmt::Display for AsnDbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AsnDbError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        let source = self.source.as_ref()?;
        Some(source.as_ref())
    }
}

/// Builds an ASN database at `out` from the CSV files `inputs`.
///
/// # Errors
///
/// When an input cannot be opened or read, or the database cannot be
/// serialised or written. Bad rows are not errors: see
/// [`AsnDbSummary::problems`].
pub fn build_asn_db(inputs: &[PathBuf], out: &Path) -> Result<AsnDbSummary, AsnDbError> {
    let mut writer = Writer::builder(DATABASE_TYPE)
        .ip_version(IpVersion::V6)
        .description(&[("en", DESCRIPTION)])
        .build_epoch(newest_modification(inputs))
        .build();
    let mut summary = AsnDbSummary::default();
    for input in inputs {
        add_file(&mut writer, input, &mut summary)?;
    }

    let bytes = writer
        .to_bytes()
        .map_err(|err| AsnDbError::new(out, "cannot build the database", err))?;
    summary.bytes = bytes.len();
    write_atomically(out, &bytes)?;
    Ok(summary)
}

/// The build time written in the metadata: the newest input's, so the same
/// inputs give the same bytes.
fn newest_modification(inputs: &[PathBuf]) -> SystemTime {
    let times = inputs
        .iter()
        .filter_map(|path| path.metadata().ok()?.modified().ok());
    times.max().unwrap_or(SystemTime::UNIX_EPOCH)
}

fn add_file(
    writer: &mut Writer,
    input: &Path,
    summary: &mut AsnDbSummary,
) -> Result<(), AsnDbError> {
    let text = std::fs::read(input).map_err(|err| AsnDbError::new(input, "cannot read", err))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_slice());
    let mut lines = LineCounter::default();

    let mut record = csv::StringRecord::new();
    loop {
        let start = reader.position().byte();
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                let start = record.position().map_or(start, csv::Position::byte);
                add_row(writer, input, lines.line_at(&text, start), &record, summary);
            }
            // Invalid UTF-8: the row is reported and the file read on.
            Err(err) => {
                let start = err.position().map_or(start, csv::Position::byte);
                bad_row(
                    summary,
                    input,
                    lines.line_at(&text, start),
                    &err.to_string(),
                );
            }
        }
    }
}

/// Line numbers from byte offsets. The csv crate's own line count skips
/// blank lines, which would send a reader of a problem to the wrong line.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    newlines: u64,
}

impl LineCounter {
    /// The line, from 1, of the row starting at byte `offset`; offsets
    /// only grow. The csv crate counts the blank lines before a row as
    /// part of it, so they are stepped over first.
    fn line_at(&mut self, text: &[u8], offset: u64) -> u64 {
        let mut offset = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(text.len());
        while text
            .get(offset)
            .is_some_and(|byte| matches!(byte, b'\n' | b'\r'))
        {
            offset += 1;
        }
        let skipped = text.get(self.offset..offset).unwrap_or_default();
        self.newlines += skipped.iter().filter(|byte| **byte == b'\n').count() as u64;
        self.offset = self.offset.max(offset);
        self.newlines + 1
    }
}

fn add_row(
    writer: &mut Writer,
    input: &Path,
    line: u64,
    record: &csv::StringRecord,
    summary: &mut AsnDbSummary,
) {
    summary.rows += 1;
    let row = match AsnRow::parse(record) {
        Ok(row) => row,
        Err(message) => return bad_row(summary, input, line, &message),
    };

    let value = row.value();
    let (mut written, mut aliased) = (0, 0);
    for network in row.networks() {
        match writer.insert_value(network, value.clone()) {
            Ok(()) => written += 1,
            Err(mmdb_writer::Error::AliasedNetwork(_)) => aliased += 1,
            Err(err) => return bad_row(summary, input, line, &format!("{network}: {err}")),
        }
    }
    summary.networks += written;
    summary.written_rows += usize::from(written > 0);
    if aliased > 0 {
        summary.aliased_rows += 1;
        let message = format!("{aliased} network(s) in IPv4-aliased IPv6 space skipped");
        summary.report(RowProblem {
            file: input.to_owned(),
            line,
            message,
        });
    }
}

fn bad_row(summary: &mut AsnDbSummary, input: &Path, line: u64, message: &str) {
    summary.bad_rows += 1;
    summary.report(RowProblem {
        file: input.to_owned(),
        line,
        message: message.to_owned(),
    });
}

/// One row of the CSV, checked.
struct AsnRow<'a> {
    range: (IpAddr, IpAddr),
    asn: u32,
    org: &'a str,
}

impl<'a> AsnRow<'a> {
    fn parse(record: &'a csv::StringRecord) -> Result<AsnRow<'a>, String> {
        if record.len() != ROW_FIELDS {
            return Err(format!(
                "expected {ROW_FIELDS} fields (start,end,asn,org), found {}",
                record.len()
            ));
        }
        let field = |index: usize| record.get(index).unwrap_or("").trim();
        let start = parse_address(field(0), "start")?;
        let end = parse_address(field(1), "end")?;
        check_range(start, end)?;
        let asn = field(2)
            .parse()
            .map_err(|_| format!("asn: not a number from 0 to 4294967295: {:?}", field(2)))?;
        Ok(AsnRow {
            range: (start, end),
            asn,
            org: field(3),
        })
    }

    /// The record stored for every address of the row; an empty
    /// organisation is left out, as GeoLite2-ASN does.
    fn value(&self) -> Value {
        let number = ("autonomous_system_number", Value::from(self.asn));
        if self.org.is_empty() {
            return Value::map([number]);
        }
        Value::map([
            number,
            ("autonomous_system_organization", Value::from(self.org)),
        ])
    }

    /// The fewest CIDR networks covering the row's range.
    fn networks(&self) -> Box<dyn Iterator<Item = IpNet>> {
        match self.range {
            (IpAddr::V4(start), IpAddr::V4(end)) => {
                Box::new(Ipv4Subnets::new(start, end, 0).map(IpNet::V4))
            }
            (IpAddr::V6(start), IpAddr::V6(end)) => {
                Box::new(Ipv6Subnets::new(start, end, 0).map(IpNet::V6))
            }
            _ => Box::new(std::iter::empty()),
        }
    }
}

fn parse_address(text: &str, field: &str) -> Result<IpAddr, String> {
    text.parse()
        .map_err(|_| format!("{field}: not an IP address: {text:?}"))
}

fn check_range(start: IpAddr, end: IpAddr) -> Result<(), String> {
    let ordered = match (start, end) {
        (IpAddr::V4(start), IpAddr::V4(end)) => u32::from(start) <= u32::from(end),
        (IpAddr::V6(start), IpAddr::V6(end)) => u128::from(start) <= u128::from(end),
        _ => {
            return Err(format!(
                "start {start} and end {end} are of different IP versions"
            ));
        }
    };
    if !ordered {
        return Err(format!("end {end} is before start {start}"));
    }
    Ok(())
}

/// Writes next to `out` first, so a failed write leaves no half database.
fn write_atomically(out: &Path, bytes: &[u8]) -> Result<(), AsnDbError> {
    let mut partial = out.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    std::fs::write(&partial, bytes)
        .map_err(|err| AsnDbError::new(&partial, "cannot write", err))?;
    std::fs::rename(&partial, out)
        .map_err(|err| AsnDbError::new(out, "cannot move the database into place", err))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clicksift::{DatabaseKind, Databases};

    /// A fresh folder for one test's files.
    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("clicksift-asn-db-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    const IPV4_CSV: &str = "\
1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"
1.0.4.0,1.0.7.255,38803,Gtelecom Pty Ltd
1.0.8.0,1.0.9.300,1,bad end
1.0.10.0,1.0.10.255,4294967296,asn too big
1.0.12.0,1.0.11.0,1,reversed
1.0.16.0,1.0.16.255,2519
1.0.20.0,1.0.20.10,64512,
";

    const IPV6_CSV: &str = "\
2001:200::,2001:200:1b9:ffff:ffff:ffff:ffff:ffff,2500,WIDE Project
2002::,2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff,6939,6to4 space
2001:db8::,1.2.3.4,1,mixed
";

    fn build(name: &str) -> (AsnDbSummary, PathBuf, PathBuf) {
        let dir = scratch(name);
        let (v4, v6, out) = (
            dir.join("asn-ipv4.csv"),
            dir.join("asn-ipv6.csv"),
            dir.join("asn.mmdb"),
        );
        std::fs::write(&v4, IPV4_CSV).unwrap();
        std::fs::write(&v6, IPV6_CSV).unwrap();
        let summary = build_asn_db(&[v4.clone(), v6], &out).unwrap();
        (summary, v4, out)
    }

    #[test]
    fn builds_a_database_that_databases_reads_as_asn() {
        let (summary, _, out) = build("reads");
        let mut databases = Databases::new();
        assert_eq!(databases.open(&out).unwrap(), DatabaseKind::Asn);
        assert_eq!(
            databases.database_type(DatabaseKind::Asn),
            Some(DATABASE_TYPE)
        );

        let cloudflare = databases.lookup("1.0.0.77".parse().unwrap());
        assert_eq!(cloudflare.asn, Some(13335));
        assert_eq!(cloudflare.as_org.as_deref(), Some("Cloudflare, Inc."));
        assert_eq!(
            databases.lookup("1.0.7.255".parse().unwrap()).asn,
            Some(38803)
        );
        assert_eq!(databases.lookup("1.0.8.1".parse().unwrap()).asn, None);
        let wide = databases.lookup("2001:200:1b9::1".parse().unwrap());
        assert_eq!(
            (wide.asn, wide.as_org.as_deref()),
            (Some(2500), Some("WIDE Project"))
        );

        // An empty organisation is left out; the number is kept.
        let unnamed = databases.lookup("1.0.20.10".parse().unwrap());
        assert_eq!((unnamed.asn, unnamed.as_org), (Some(64512), None));
        assert_eq!(databases.lookup("1.0.20.11".parse().unwrap()).asn, None);
        assert_eq!(
            summary.bytes,
            std::fs::metadata(&out).unwrap().len() as usize
        );
    }

    #[test]
    fn bad_rows_are_reported_with_file_and_line_and_counted() {
        let (summary, v4, _) = build("bad-rows");
        assert_eq!(summary.rows, 10);
        assert_eq!(summary.bad_rows, 5);
        assert_eq!(summary.aliased_rows, 1);
        assert_eq!(summary.written_rows, 4);
        assert!(summary.networks >= 4);

        let lines: Vec<(String, u64)> = summary
            .problems
            .iter()
            .map(|p| {
                (
                    p.file.file_name().unwrap().to_string_lossy().into_owned(),
                    p.line,
                )
            })
            .collect();
        let expected = [
            ("asn-ipv4.csv", 3),
            ("asn-ipv4.csv", 4),
            ("asn-ipv4.csv", 5),
            ("asn-ipv4.csv", 6),
            ("asn-ipv6.csv", 2),
            ("asn-ipv6.csv", 3),
        ];
        let expected: Vec<(String, u64)> =
            expected.iter().map(|(f, l)| (f.to_string(), *l)).collect();
        assert_eq!(lines, expected);

        let first = summary.problems[0].to_string();
        assert!(
            first.starts_with(&format!("{}:3: end:", v4.display())),
            "{first}"
        );
        assert!(summary.problems[3].message.contains("expected 4 fields"));
        assert!(summary.problems[4].message.contains("IPv4-aliased"));
    }

    #[test]
    fn description_carries_the_attribution() {
        let (_, _, out) = build("attribution");
        let reader = maxminddb::Reader::open_readfile(&out).unwrap();
        let description = reader
            .metadata()
            .description
            .get("en")
            .cloned()
            .unwrap_or_default();
        assert!(description.contains("CC BY 4.0"), "{description}");
        assert!(description.contains("DB-IP"), "{description}");
    }

    #[test]
    fn invalid_utf8_and_blank_lines_keep_line_numbers_right() {
        let dir = scratch("utf8");
        let input = dir.join("asn.csv");
        let bytes =
            b"1.0.0.0,1.0.0.255,1,ok\n1.0.1.0,1.0.1.255,2,bad \xff name\n\n1.0.2.0,1.0.2.x,3,x\n";
        std::fs::write(&input, bytes).unwrap();
        let summary = build_asn_db(&[input], &dir.join("asn.mmdb")).unwrap();
        let lines: Vec<u64> = summary.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [2, 4]);
        assert_eq!((summary.bad_rows, summary.written_rows), (2, 1));
    }

    #[test]
    fn missing_input_is_an_error_naming_it() {
        let dir = scratch("missing");
        let missing = dir.join("nope.csv");
        let err = build_asn_db(std::slice::from_ref(&missing), &dir.join("out.mmdb")).unwrap_err();
        assert!(err.to_string().contains("nope.csv"), "{err}");
        assert!(std::error::Error::source(&err).is_some());
        assert!(!dir.join("out.mmdb").exists());
    }
}
