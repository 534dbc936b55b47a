//! The network catalogue: address ranges with what is known of who uses
//! them, and the table that answers which range an address falls in.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;

use crate::csvline;

/// How strongly a catalogue entry says what it says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grade {
    /// Published by the operator as the addresses its scanners use.
    Certain,
    /// A security vendor's network, or an address seen scanning; people
    /// can be behind it too (browser isolation).
    Probable,
    /// Cloud and hosting networks: sandboxes live there, and so do
    /// virtual desktops.
    Context,
    /// Networks that carry people: web proxies, webmail image proxies.
    Human,
}

impl Grade {
    /// The name used in catalogue files and rules.
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Certain => "certain",
            Grade::Probable => "probable",
            Grade::Context => "context",
            Grade::Human => "human",
        }
    }
}

impl FromStr for Grade {
    type Err = String;

    fn from_str(s: &str) -> Result<Grade, String> {
        match s {
            "certain" => Ok(Grade::Certain),
            "probable" => Ok(Grade::Probable),
            "context" => Ok(Grade::Context),
            "human" => Ok(Grade::Human),
            _ => Err(format!(
                "unknown grade {s:?}; expected certain, probable, context or human"
            )),
        }
    }
}

/// One range of the catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkEntry {
    /// The range.
    pub net: IpNet,
    /// How strong the evidence is.
    pub grade: Grade,
    /// What the network is: `mail_gateway`, `security_vendor`, `cloud`,
    /// `hosting`, `web_proxy`, `mail_service`, `crawler`, or a user's own
    /// word.
    pub kind: String,
    /// Who runs it, for people to read.
    pub operator: String,
    /// Where the fact comes from, with its date.
    pub origin: String,
}

impl NetworkEntry {
    /// Appends the entry as its `Display` shows it, without the
    /// formatting machinery: reasons write it for most machine clicks.
    pub(crate) fn describe(&self, out: &mut String) {
        crate::evidence::address_text(self.net.addr(), out);
        out.push('/');
        out.push_str(itoa::Buffer::new().format(self.net.prefix_len()));
        for part in [
            " ",
            &self.operator,
            " (",
            &self.kind,
            ", ",
            self.grade.as_str(),
            "; ",
            &self.origin,
            ")",
        ] {
            out.push_str(part);
        }
    }
}

impl fmt::Display for NetworkEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} ({}, {}; {})",
            self.net,
            self.operator,
            self.kind,
            self.grade.as_str(),
            self.origin
        )
    }
}

/// The columns of a network catalogue file.
pub const NETWORK_COLUMNS: [&str; 5] = ["cidr", "grade", "kind", "operator", "origin"];

/// Parses a network catalogue file (see `data/README.md` for the format).
///
/// # Errors
///
/// Returns every bad row, each as `line N: reason`.
pub fn parse_catalog(text: &str) -> Result<Vec<NetworkEntry>, Vec<String>> {
    csvline::parse_rows(text, &NETWORK_COLUMNS, parse_row)
}

fn parse_row(line: &str) -> Result<NetworkEntry, String> {
    let fields = csvline::split(line)?;
    let [cidr, grade, kind, operator, origin] =
        <[String; 5]>::try_from(fields).map_err(|f| format!("{} fields, expected 5", f.len()))?;
    Ok(NetworkEntry {
        net: parse_net(&cidr)?,
        grade: grade.parse()?,
        kind,
        operator,
        origin,
    })
}

/// Parses a CIDR range or a bare address (as a single-address range),
/// masking host bits away.
///
/// # Errors
///
/// Returns a message quoting the text when it is neither.
pub fn parse_net(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    if let Ok(net) = text.parse::<IpNet>() {
        return Ok(net.trunc());
    }
    match text.parse::<IpAddr>() {
        Ok(ip) => Ok(IpNet::from(ip)),
        Err(_) => Err(format!(
            "{:?} is not a CIDR range or address",
            crate::click::truncate(text)
        )),
    }
}

/// Answers which of a set of ranges holds an address, most specific range
/// first, in logarithmic time.
///
/// The ranges are flattened at build time into disjoint intervals, each
/// labelled with the value of the most specific range covering it (the
/// first one given, among equally specific ones), and searched by binary
/// search. Building takes a few milliseconds for 100k ranges.
#[derive(Clone, Debug)]
pub struct CidrTable<T> {
    v4: Vec<(u32, u32, u32)>,
    v6: Vec<(u128, u128, u32)>,
    values: Vec<T>,
}

impl<T> CidrTable<T> {
    /// Builds the table from ranges and their values.
    pub fn new(ranges: impl IntoIterator<Item = (IpNet, T)>) -> CidrTable<T> {
        let mut v4 = Vec::new();
        let mut v6 = Vec::new();
        let mut values = Vec::new();
        for (net, value) in ranges {
            let index = values.len() as u32;
            values.push(value);
            match net.trunc() {
                IpNet::V4(n) => v4.push((u32::from(n.network()), u32::from(n.broadcast()), index)),
                IpNet::V6(n) => {
                    v6.push((u128::from(n.network()), u128::from(n.broadcast()), index))
                }
            }
        }
        CidrTable {
            v4: flatten(v4),
            v6: flatten(v6),
            values,
        }
    }

    /// The value of the most specific range holding `ip`.
    pub fn lookup(&self, ip: IpAddr) -> Option<&T> {
        let index = match ip {
            IpAddr::V4(a) => search(&self.v4, u32::from(a)),
            IpAddr::V6(a) => match a.to_ipv4_mapped() {
                Some(v4) => search(&self.v4, u32::from(v4)),
                None => search(&self.v6, u128::from(a)),
            },
        }?;
        self.values.get(index as usize)
    }

    /// How many ranges were given.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when no range was given.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The values, in the order given.
    pub fn values(&self) -> &[T] {
        &self.values
    }
}

fn search<A: Ord + Copy>(intervals: &[(A, A, u32)], addr: A) -> Option<u32> {
    let after = intervals.partition_point(|&(start, _, _)| start <= addr);
    let &(_, end, index) = intervals.get(after.checked_sub(1)?)?;
    (addr <= end).then_some(index)
}

/// An address type that can be stepped by one.
trait Addr: Ord + Copy {
    fn next(self) -> Option<Self>;
    fn prev(self) -> Option<Self>;
}

impl Addr for u32 {
    fn next(self) -> Option<u32> {
        self.checked_add(1)
    }
    fn prev(self) -> Option<u32> {
        self.checked_sub(1)
    }
}

impl Addr for u128 {
    fn next(self) -> Option<u128> {
        self.checked_add(1)
    }
    fn prev(self) -> Option<u128> {
        self.checked_sub(1)
    }
}

/// Turns nested prefixes into disjoint intervals where the innermost
/// prefix wins. Prefixes either nest or are disjoint, so a sweep with a
/// stack of open prefixes is enough.
fn flatten<A: Addr>(mut ranges: Vec<(A, A, u32)>) -> Vec<(A, A, u32)> {
    // Outer prefixes before inner ones that start at the same address;
    // among identical prefixes the first given wins, so it sorts last
    // (innermost) and the duplicates before it are shadowed.
    ranges.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2)));
    let mut out: Vec<(A, A, u32)> = Vec::with_capacity(ranges.len());
    let mut open: Vec<(A, A, u32)> = Vec::new();
    let mut cursor: Option<A> = None;
    for range in ranges {
        close_before(&mut open, &mut out, &mut cursor, range.0);
        if let Some(&(_, _, outer)) = open.last() {
            emit(&mut out, cursor, range.0.prev(), outer);
        }
        cursor = Some(range.0);
        open.push(range);
    }
    while let Some((_, end, index)) = open.pop() {
        emit(&mut out, cursor, Some(end), index);
        cursor = end.next();
        if cursor.is_none() {
            break;
        }
    }
    out
}

/// Closes the open prefixes that end before `start`, emitting the part of
/// each that no inner prefix covered.
fn close_before<A: Addr>(
    open: &mut Vec<(A, A, u32)>,
    out: &mut Vec<(A, A, u32)>,
    cursor: &mut Option<A>,
    start: A,
) {
    while let Some(&(_, end, index)) = open.last() {
        if end >= start {
            return;
        }
        emit(out, *cursor, Some(end), index);
        *cursor = end.next();
        open.pop();
    }
}

fn emit<A: Addr>(out: &mut Vec<(A, A, u32)>, from: Option<A>, to: Option<A>, index: u32) {
    if let (Some(from), Some(to)) = (from, to) {
        if from <= to {
            out.push((from, to, index));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_writes_what_display_shows() {
        let entries = parse_catalog(crate::engine::DEFAULT_NETWORKS).unwrap();
        let v6 = entries.iter().filter(|e| e.net.addr().is_ipv6()).take(5);
        for entry in entries.iter().step_by(97).chain(v6) {
            let mut text = String::new();
            entry.describe(&mut text);
            assert_eq!(text, entry.to_string());
        }
    }

    fn table(nets: &[&str]) -> CidrTable<usize> {
        CidrTable::new(
            nets.iter()
                .enumerate()
                .map(|(i, n)| (n.parse().unwrap(), i)),
        )
    }

    fn at(t: &CidrTable<usize>, ip: &str) -> Option<usize> {
        t.lookup(ip.parse().unwrap()).copied()
    }

    #[test]
    fn innermost_prefix_wins_and_outer_resumes_after_it() {
        let t = table(&["10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24"]);
        assert_eq!(at(&t, "10.0.0.1"), Some(0));
        assert_eq!(at(&t, "10.1.0.1"), Some(1));
        assert_eq!(at(&t, "10.1.2.200"), Some(2));
        assert_eq!(at(&t, "10.1.3.0"), Some(1));
        assert_eq!(at(&t, "10.2.0.0"), Some(0));
        assert_eq!(at(&t, "11.0.0.0"), None);
        assert_eq!(at(&t, "9.255.255.255"), None);
    }

    #[test]
    fn edges_of_the_address_space() {
        let t = table(&[
            "0.0.0.0/0",
            "255.255.255.255/32",
            "::/0",
            "2a01:111:f400::/48",
        ]);
        assert_eq!(at(&t, "255.255.255.255"), Some(1));
        assert_eq!(at(&t, "255.255.255.254"), Some(0));
        assert_eq!(at(&t, "2a01:111:f400::1"), Some(3));
        assert_eq!(at(&t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), Some(2));
    }

    #[test]
    fn first_of_identical_prefixes_wins() {
        let t = table(&["40.92.0.0/15", "40.92.0.0/15"]);
        assert_eq!(at(&t, "40.93.1.1"), Some(0));
    }

    #[test]
    fn mapped_ipv6_finds_ipv4_ranges() {
        let t = table(&["40.92.0.0/15"]);
        assert_eq!(at(&t, "::ffff:40.92.1.1"), Some(0));
    }

    #[test]
    fn catalog_rows_report_every_bad_line() {
        let text = "# comment\ncidr,grade,kind,operator,origin\n\
                    40.92.0.0/15,certain,mail_gateway,Microsoft EOP,docs\n\
                    nonsense,certain,x,y,z\n\
                    1.2.3.0/24,sure,x,y,z\n";
        let errors = parse_catalog(text).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(errors[0].starts_with("line 4:"), "{}", errors[0]);
        assert!(
            errors[1].starts_with("line 5:") && errors[1].contains("sure"),
            "{}",
            errors[1]
        );
    }
}
