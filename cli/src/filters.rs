//! The removal filters of `clicksift clean`: which judged clicks to take
//! out of a log, and the words that say why.

use std::borrow::Cow;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};
use clicksift::click::parse_time;
use clicksift::mmdb::{DatabaseKind, Databases, LookupCache, NetFacts};
use clicksift::network::parse_net;
use clicksift::{Assessment, Click, Source, Verdict};
use ipnet::IpNet;
use regex::Regex;

/// How filters combine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Combine {
    /// Remove a record when any filter matches it.
    #[default]
    Any,
    /// Remove a record only when every filter matches it.
    All,
}

/// The filters as given on the command line.
#[derive(Args, Clone, Debug, Default)]
pub struct FilterArgs {
    /// Remove records scored N or more (0-100).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=100))]
    min_score: Option<u8>,
    /// Remove records with this verdict: human, machine or uncertain
    /// (repeatable, or comma-separated).
    #[arg(long, value_name = "VERDICT", value_delimiter = ',')]
    verdict: Vec<Verdict>,
    /// Remove records attributed to this source, such as mail_gateway or
    /// sandbox (repeatable, or comma-separated).
    #[arg(long, value_name = "SOURCE", value_delimiter = ',')]
    source: Vec<Source>,
    /// Remove records from this address or CIDR range (repeatable).
    #[arg(long = "ip", value_name = "IP|CIDR", value_parser = parse_net)]
    ip: Vec<IpNet>,
    /// Remove records from this autonomous system, as 8075 or AS8075
    /// (repeatable); needs an ASN or ISP database (--mmdb).
    #[arg(long, value_name = "ASN", value_parser = parse_asn)]
    asn: Vec<u32>,
    /// Remove records whose ISP, organisation or AS organisation contains
    /// TEXT, ignoring case (repeatable); needs an ASN or ISP database.
    #[arg(long = "org", value_name = "TEXT")]
    org: Vec<String>,
    /// Remove records from this country, as an ISO code such as DE
    /// (repeatable); needs a Country or City database.
    #[arg(long, value_name = "CC")]
    country: Vec<String>,
    /// Remove records whose user agent matches this regular expression
    /// (repeatable).
    #[arg(long = "agent", value_name = "REGEX")]
    agent: Vec<Regex>,
    /// Remove records at or after this RFC 3339 time (with --until: inside
    /// the range).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    since: Option<DateTime<Utc>>,
    /// Remove records before this RFC 3339 time (with --since: inside the
    /// range).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    until: Option<DateTime<Utc>>,
    /// How filters combine: `any` removes a record that any filter
    /// matches, `all` only one that every filter matches.
    #[arg(long = "match", value_enum, default_value_t = Combine::Any)]
    combine: Combine,
}

fn parse_asn(text: &str) -> Result<u32, String> {
    let digits = text
        .trim()
        .trim_start_matches("AS")
        .trim_start_matches("as");
    digits
        .parse()
        .map_err(|_| format!("{text:?} is not an AS number such as 8075 or AS8075"))
}

/// One filter, ready to test records.
#[derive(Clone, Debug)]
enum Filter {
    MinScore(u8),
    Verdict(Vec<Verdict>),
    Source(Vec<Source>),
    Ip(Vec<IpNet>),
    Asn(Vec<u32>),
    Org(Vec<String>),
    Country(Vec<String>),
    Agent(Vec<Regex>),
    Time(Option<DateTime<Utc>>, Option<DateTime<Utc>>),
}

/// Every filter of a run, with the databases the network filters need.
pub struct Filters {
    filters: Vec<Filter>,
    combine: Combine,
    databases: Databases,
    lookups: LookupCache,
}

/// Database kinds that answer each network filter.
const ASN_KINDS: [DatabaseKind; 2] = [DatabaseKind::Asn, DatabaseKind::Isp];
const COUNTRY_KINDS: [DatabaseKind; 2] = [DatabaseKind::Country, DatabaseKind::City];

impl Filters {
    /// Builds the filters, opening the databases in `mmdb`.
    ///
    /// # Errors
    ///
    /// A message when a database cannot be opened or a network filter
    /// needs a kind of database that is not loaded.
    pub fn build(args: &FilterArgs, mmdb: &[PathBuf]) -> Result<Filters, String> {
        let mut databases = Databases::new();
        for path in mmdb {
            databases.open(path).map_err(|e| e.to_string())?;
        }
        let filters = args.filters();
        for filter in &filters {
            check_databases(filter, &databases)?;
        }
        Ok(Filters {
            filters,
            combine: args.combine,
            databases,
            lookups: LookupCache::new(),
        })
    }

    /// The names of the filters that remove this record, empty when it is
    /// kept. Reports are always kept: they are the recipient's own act.
    pub fn removed_by(&mut self, click: &Click, a: &Assessment) -> Vec<Label> {
        if click.kind == clicksift::EventKind::Report {
            return Vec::new();
        }
        let facts = match click.ip {
            Some(ip) if !self.databases.is_empty() => {
                Some(self.databases.lookup_cached(ip, &mut self.lookups).clone())
            }
            _ => None,
        };
        let matched: Vec<Label> = self
            .filters
            .iter()
            .filter_map(|f| f.matches(click, a, facts.as_ref()))
            .collect();
        let removed = match self.combine {
            Combine::Any => !matched.is_empty(),
            Combine::All => matched.len() == self.filters.len(),
        };
        if removed { matched } else { Vec::new() }
    }
}

impl FilterArgs {
    /// The filters given, or `verdict=machine` when none is.
    fn filters(&self) -> Vec<Filter> {
        let mut filters = Vec::new();
        if let Some(n) = self.min_score {
            filters.push(Filter::MinScore(n));
        }
        let lists = [
            (!self.verdict.is_empty()).then(|| Filter::Verdict(self.verdict.clone())),
            (!self.source.is_empty()).then(|| Filter::Source(self.source.clone())),
            (!self.ip.is_empty()).then(|| Filter::Ip(self.ip.clone())),
            (!self.asn.is_empty()).then(|| Filter::Asn(self.asn.clone())),
            (!self.org.is_empty()).then(|| Filter::Org(lower(&self.org))),
            (!self.country.is_empty()).then(|| Filter::Country(upper(&self.country))),
            (!self.agent.is_empty()).then(|| Filter::Agent(self.agent.clone())),
            (self.since.is_some() || self.until.is_some())
                .then_some(Filter::Time(self.since, self.until)),
        ];
        filters.extend(lists.into_iter().flatten());
        if filters.is_empty() {
            filters.push(Filter::Verdict(vec![Verdict::Machine]));
        }
        filters
    }
}

fn lower(list: &[String]) -> Vec<String> {
    list.iter().map(|s| s.to_lowercase()).collect()
}

fn upper(list: &[String]) -> Vec<String> {
    list.iter().map(|s| s.trim().to_ascii_uppercase()).collect()
}

fn check_databases(filter: &Filter, databases: &Databases) -> Result<(), String> {
    let (name, kinds): (&str, &[DatabaseKind]) = match filter {
        Filter::Asn(_) => ("--asn", &ASN_KINDS),
        Filter::Org(_) => ("--org", &ASN_KINDS),
        Filter::Country(_) => ("--country", &COUNTRY_KINDS),
        _ => return Ok(()),
    };
    if databases.kinds().any(|k| kinds.contains(&k)) {
        return Ok(());
    }
    let wanted: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
    Err(format!(
        "{name} needs a {} database: give one with --mmdb",
        wanted.join(" or ")
    ))
}

impl Filter {
    /// The filter's own words when it matches.
    fn matches(&self, click: &Click, a: &Assessment, facts: Option<&NetFacts>) -> Option<Label> {
        match self {
            Filter::MinScore(n) => (a.score >= *n).then(|| format!("min-score={n}").into()),
            Filter::Verdict(list) => list
                .contains(&a.verdict)
                .then(|| verdict_label(a.verdict).into()),
            Filter::Source(list) => list
                .contains(&a.source)
                .then(|| format!("source={}", a.source).into()),
            Filter::Ip(nets) => {
                let ip = click.ip.map(|ip| ip.to_canonical())?;
                let net = nets.iter().find(|n| n.contains(&ip))?;
                Some(format!("ip={net}").into())
            }
            Filter::Asn(list) => {
                let asn = facts?.asn?;
                list.contains(&asn).then(|| format!("asn=AS{asn}").into())
            }
            Filter::Org(needles) => org_match(needles, facts?).map(Label::Owned),
            Filter::Country(list) => {
                let country = facts?.country.as_deref()?.to_ascii_uppercase();
                list.contains(&country)
                    .then(|| format!("country={country}").into())
            }
            Filter::Agent(patterns) => {
                let agent = click.user_agent.as_deref().unwrap_or("");
                let p = patterns.iter().find(|p| p.is_match(agent))?;
                Some(format!("agent=/{}/", p.as_str()).into())
            }
            Filter::Time(since, until) => {
                let after = since.is_none_or(|s| click.at >= s);
                let before = until.is_none_or(|u| click.at < u);
                (after && before).then(|| time_label(*since, *until).into())
            }
        }
    }
}

/// A filter's name as a removed record shows it: most are written the same
/// for every record they remove, so need no text of their own.
pub type Label = Cow<'static, str>;

/// The name of the verdict filter that matched `verdict`.
fn verdict_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Human => "verdict=human",
        Verdict::Machine => "verdict=machine",
        Verdict::Uncertain => "verdict=uncertain",
    }
}

fn org_match(needles: &[String], facts: &NetFacts) -> Option<String> {
    let names = [&facts.isp, &facts.org, &facts.as_org];
    for name in names.into_iter().flatten() {
        let lowered = name.to_lowercase();
        if let Some(n) = needles.iter().find(|n| lowered.contains(n.as_str())) {
            return Some(format!("org={n}"));
        }
    }
    None
}

fn time_label(since: Option<DateTime<Utc>>, until: Option<DateTime<Utc>>) -> String {
    let show = |t: Option<DateTime<Utc>>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
    format!("time={}..{}", show(since), show(until))
}
