//! data/networks.csv: published ranges plus the prefixes of chosen ASNs.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

use ipnet::{IpNet, Ipv4Subnets, Ipv6Subnets};
use serde::Deserialize;

use crate::error::{Error, read_toml};
use crate::inputs::{Input, REGENERATE};

/// How strongly a network says "machine".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Grade {
    Certain,
    Probable,
    Context,
    Human,
}

/// What kind of operator runs the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Kind {
    MailGateway,
    SecurityVendor,
    Cloud,
    Hosting,
    WebProxy,
    MailService,
    Crawler,
}

impl Grade {
    fn name(self) -> &'static str {
        match self {
            Grade::Certain => "certain",
            Grade::Probable => "probable",
            Grade::Context => "context",
            Grade::Human => "human",
        }
    }
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::MailGateway => "mail_gateway",
            Kind::SecurityVendor => "security_vendor",
            Kind::Cloud => "cloud",
            Kind::Hosting => "hosting",
            Kind::WebProxy => "web_proxy",
            Kind::MailService => "mail_service",
            Kind::Crawler => "crawler",
        }
    }
}

/// A published or observed set of ranges, copied as is.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RangeSource {
    cidrs: Vec<String>,
    grade: Grade,
    kind: Kind,
    operator: String,
    origin: String,
    #[allow(dead_code, reason = "a citation for readers of the source file")]
    source: String,
}

/// ASNs whose announced prefixes all share one grade and kind.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AsnSource {
    asns: Vec<u32>,
    name: String,
    grade: Grade,
    kind: Kind,
    #[allow(dead_code, reason = "a citation for readers of the source file")]
    source: String,
    #[serde(default)]
    by_org_name: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sources {
    range: Vec<RangeSource>,
    asn: Vec<AsnSource>,
}

/// One output row.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Row {
    net: IpNet,
    grade: Grade,
    kind: Kind,
    operator: String,
    origin: String,
}

/// Inclusive address intervals per ASN, IPv4 and IPv6 kept apart.
#[derive(Default)]
struct Intervals {
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
}

/// What [`build`] produced, for the summary.
#[derive(Debug, Default)]
pub struct NetworkCounts {
    /// All rows written.
    pub rows: usize,
    /// Rows holding an IPv4 prefix.
    pub ipv4: usize,
    /// Rows holding an IPv6 prefix.
    pub ipv6: usize,
    /// Rows per grade name.
    pub by_grade: BTreeMap<&'static str, usize>,
    /// Listed ASNs that announce nothing in the input.
    pub empty_asns: Vec<u32>,
}

/// Builds the text of data/networks.csv.
///
/// # Errors
/// When a source file is missing or malformed, a curated range is not a
/// canonical CIDR, or an input line cannot be parsed (named by file and
/// line).
pub fn build(
    sources_dir: &Path,
    root: &Path,
    asn_input: &Input,
) -> Result<(String, NetworkCounts), Error> {
    let sources: Sources = read_toml(&sources_dir.join("networks.toml"))?;
    let mut rows = curated_rows(&sources.range)?;

    // Published ranges win over an identical ASN-derived prefix.
    let curated: BTreeSet<IpNet> = rows.iter().map(|r| r.net).collect();
    let wanted: BTreeSet<u32> = sources
        .asn
        .iter()
        .flat_map(|a| a.asns.iter().copied())
        .collect();
    let mut intervals = HashMap::new();
    for name in ["asn-ipv4.csv", "asn-ipv6.csv"] {
        read_asn_csv(&asn_input.file(root, name), &wanted, &mut intervals)?;
    }

    let origin = format!("ip-location-db asn {}", asn_input.date);
    let mut counts = NetworkCounts::default();
    for source in &sources.asn {
        for &asn in &source.asns {
            let Some(found) = intervals.get(&asn) else {
                counts.empty_asns.push(asn);
                continue;
            };
            let operator = format!("{} (AS{asn})", source.name);
            for net in prefixes(found).into_iter().filter(|n| !curated.contains(n)) {
                let (grade, kind) = (source.grade, source.kind);
                rows.push(Row {
                    net,
                    grade,
                    kind,
                    operator: operator.clone(),
                    origin: origin.clone(),
                });
            }
        }
    }

    rows.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)).then_with(|| a.cmp(b)));
    rows.dedup();
    count(&rows, &mut counts);
    Ok((render(&rows, &sources.asn, asn_input, &counts), counts))
}

/// Orders IPv4 before IPv6, then by address, then wider prefixes first.
fn sort_key(row: &Row) -> (bool, u128, u8) {
    match row.net {
        IpNet::V4(n) => (false, u128::from(u32::from(n.network())), n.prefix_len()),
        IpNet::V6(n) => (true, u128::from(n.network()), n.prefix_len()),
    }
}

fn curated_rows(ranges: &[RangeSource]) -> Result<Vec<Row>, Error> {
    let mut rows = Vec::new();
    for (index, range) in ranges.iter().enumerate() {
        for text in &range.cidrs {
            let net: IpNet = text.parse().map_err(|e| {
                Error::with(
                    format!("networks.toml, range entry {}: cidr {text:?}", index + 1),
                    e,
                )
            })?;
            if net.trunc() != net {
                let msg = format!(
                    "networks.toml, range entry {}: {text} has host bits set",
                    index + 1
                );
                return Err(Error::msg(msg));
            }
            let (grade, kind) = (range.grade, range.kind);
            let (operator, origin) = (range.operator.clone(), range.origin.clone());
            rows.push(Row {
                net,
                grade,
                kind,
                operator,
                origin,
            });
        }
    }
    Ok(rows)
}

/// Collects the ranges of the wanted ASNs from one `start,end,asn,org` file.
fn read_asn_csv(
    path: &Path,
    wanted: &BTreeSet<u32>,
    intervals: &mut HashMap<u32, Intervals>,
) -> Result<(), Error> {
    let file = std::fs::File::open(path)
        .map_err(|e| Error::with(format!("opening {}", path.display()), e))?;
    for (index, line) in BufReader::new(file).lines().enumerate() {
        let at = || format!("{}:{}", path.display(), index + 1);
        let line = line.map_err(|e| Error::with(at(), e))?;
        let mut fields = line.splitn(4, ',');
        let (Some(start), Some(end), Some(asn)) = (fields.next(), fields.next(), fields.next())
        else {
            return Err(Error::msg(format!("{}: expected start,end,asn,org", at())));
        };
        let asn: u32 = asn
            .parse()
            .map_err(|e| Error::with(format!("{}: asn {asn:?}", at()), e))?;
        if !wanted.contains(&asn) {
            continue;
        }
        let entry = intervals.entry(asn).or_default();
        push_interval(entry, start, end).map_err(|m| Error::msg(format!("{}: {m}", at())))?;
    }
    Ok(())
}

fn push_interval(entry: &mut Intervals, start: &str, end: &str) -> Result<(), String> {
    let parse = |s: &str| {
        s.parse::<IpAddr>()
            .map_err(|e| format!("address {s:?}: {e}"))
    };
    match (parse(start)?, parse(end)?) {
        (IpAddr::V4(a), IpAddr::V4(b)) if a <= b => entry.v4.push((a.into(), b.into())),
        (IpAddr::V6(a), IpAddr::V6(b)) if a <= b => entry.v6.push((a.into(), b.into())),
        _ => {
            return Err(format!(
                "range {start}..{end} is empty or mixes address families"
            ));
        }
    }
    Ok(())
}

/// Minimal CIDR cover of one ASN's ranges, after merging touching ones.
fn prefixes(intervals: &Intervals) -> Vec<IpNet> {
    let v4 = merge(intervals.v4.clone()).into_iter().flat_map(|(a, b)| {
        Ipv4Subnets::new(Ipv4Addr::from(a), Ipv4Addr::from(b), 0).map(IpNet::V4)
    });
    let v6 = merge(intervals.v6.clone()).into_iter().flat_map(|(a, b)| {
        Ipv6Subnets::new(Ipv6Addr::from(a), Ipv6Addr::from(b), 0).map(IpNet::V6)
    });
    v4.chain(v6).collect()
}

/// Sorts inclusive intervals and joins those that overlap or touch.
fn merge<T: Copy + Ord + num_like::Successor>(mut spans: Vec<(T, T)>) -> Vec<(T, T)> {
    spans.sort_unstable();
    let mut merged: Vec<(T, T)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if last.1.successor().is_none_or(|next| start <= next) => {
                last.1 = last.1.max(end);
            }
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// The one arithmetic step [`merge`] needs from both address widths.
mod num_like {
    /// The next integer, or `None` at the type's maximum.
    pub trait Successor: Sized {
        fn successor(self) -> Option<Self>;
    }
    impl Successor for u32 {
        fn successor(self) -> Option<Self> {
            self.checked_add(1)
        }
    }
    impl Successor for u128 {
        fn successor(self) -> Option<Self> {
            self.checked_add(1)
        }
    }
}

fn count(rows: &[Row], counts: &mut NetworkCounts) {
    counts.rows = rows.len();
    counts.ipv4 = rows
        .iter()
        .filter(|r| matches!(r.net, IpNet::V4(_)))
        .count();
    counts.ipv6 = counts.rows - counts.ipv4;
    for row in rows {
        *counts.by_grade.entry(row.grade.name()).or_default() += 1;
    }
}

fn render(rows: &[Row], asns: &[AsnSource], input: &Input, counts: &NetworkCounts) -> String {
    let by_org: Vec<String> = asns
        .iter()
        .filter(|a| a.by_org_name)
        .flat_map(|a| a.asns.iter().map(move |n| format!("AS{n} {}", a.name)))
        .collect();
    let comments = vec![
        "clicksift network catalogue: who is behind an address range.".to_string(),
        "Columns: cidr,grade,kind,operator,origin".to_string(),
        "  grade: certain | probable | context | human".to_string(),
        "  kind: mail_gateway | security_vendor | mail_service | web_proxy | cloud | hosting"
            .to_string(),
        "        | crawler (kept for entries of that kind; none is listed yet)".to_string(),
        "Rows may overlap (a published range inside an ASN's prefix); the most specific \
         prefix carries the fact. An ASN prefix identical to a published range is left out."
            .to_string(),
        String::new(),
        "Sources: curated ranges and the ASN list are in data/sources/networks.toml \
         (Microsoft 365 endpoints, Barracuda Campus, GoPhish issue 2646, Mautic issue 9400); \
         each row's origin column names its own."
            .to_string(),
        format!(
            "ASN prefixes: npm {} (data of {}).",
            input.cite(),
            input.date
        ),
        format!(
            "ASNs added by organisation name in that data: {}.",
            by_org.join(", ")
        ),
        format!("Date: {} (ASN data).", input.date),
        format!(
            "Licence: rows with origin 'ip-location-db asn' are derived from data under {}: {}. \
             See data/README.md and data/licenses/.",
            input.licence, input.attribution
        ),
        format!(
            "Rows: {} ({} IPv4, {} IPv6).",
            counts.rows, counts.ipv4, counts.ipv6
        ),
    ];
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let (grade, kind) = (r.grade.name().to_string(), r.kind.name().to_string());
            vec![
                r.net.to_string(),
                grade,
                kind,
                r.operator.clone(),
                r.origin.clone(),
            ]
        })
        .collect();
    let comments: Vec<String> = comments
        .into_iter()
        .chain(REGENERATE.map(String::from))
        .collect();
    crate::csvout::render(
        &comments,
        &["cidr", "grade", "kind", "operator", "origin"],
        &table,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_touching_and_overlapping_spans() {
        let merged = merge(vec![
            (10u32, 19),
            (0, 9),
            (15, 30),
            (40, 41),
            (u32::MAX - 1, u32::MAX),
        ]);
        assert_eq!(merged, vec![(0, 30), (40, 41), (u32::MAX - 1, u32::MAX)]);
    }

    #[test]
    fn covers_an_unaligned_range_with_minimal_prefixes() {
        let mut spans = Intervals::default();
        push_interval(&mut spans, "10.0.0.1", "10.0.0.6").unwrap();
        push_interval(&mut spans, "2001:db8::", "2001:db8::ffff").unwrap();
        let nets: Vec<String> = prefixes(&spans).iter().map(ToString::to_string).collect();
        let expected = [
            "10.0.0.1/32",
            "10.0.0.2/31",
            "10.0.0.4/31",
            "10.0.0.6/32",
            "2001:db8::/112",
        ];
        assert_eq!(nets, expected);
    }

    #[test]
    fn rejects_mixed_or_reversed_ranges() {
        let mut spans = Intervals::default();
        assert!(push_interval(&mut spans, "10.0.0.1", "::1").is_err());
        assert!(push_interval(&mut spans, "10.0.0.9", "10.0.0.1").is_err());
    }

    #[test]
    fn rejects_a_curated_cidr_with_host_bits() {
        let range = RangeSource {
            cidrs: vec!["40.94.89.19/24".to_string()],
            grade: Grade::Probable,
            kind: Kind::MailGateway,
            operator: "x".to_string(),
            origin: "y".to_string(),
            source: "z".to_string(),
        };
        let err = curated_rows(&[range]).unwrap_err().to_string();
        assert!(
            err.contains("range entry 1") && err.contains("host bits"),
            "{err}"
        );
    }
}
