//! `clicksift report`: what a campaign's clicks were, per campaign, as
//! text and as one self-contained HTML page.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::{self, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use clicksift::engine::DEFAULT_NETWORKS;
use clicksift::mmdb::{DatabaseKind, Databases, LookupCache};
use clicksift::network::{CidrTable, NetworkEntry, parse_catalog};
use clicksift::{Assessment, Click, EventKind, Source, Verdict};
use ipnet::IpNet;

use crate::clickers::is_genuine;
use crate::input::{InputArgs, judge_all};
use crate::{EngineArgs, exit};

/// The page template; `{{title}}` and `{{body}}` are filled in.
const TEMPLATE: &str = include_str!("report.html");

/// Delay buckets, measured from delivery (else sending) to the click.
pub const BUCKETS: [&str; 7] = [
    "before delivery",
    "<10 s",
    "10-60 s",
    "1-5 min",
    "5-60 min",
    ">1 h",
    "no delivery time",
];

/// Longest agent shown, in characters.
const AGENT_SHOWN: usize = 120;

/// Arguments of `clicksift report`.
#[derive(Args)]
pub struct ReportArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Also write the report as one self-contained HTML page.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// How many networks and agents to list.
    #[arg(long, value_name = "N", default_value_t = 5)]
    top: usize,
    #[command(flatten)]
    engine: EngineArgs,
}

/// The numbers of one campaign.
#[derive(Debug, Default)]
struct CampaignReport {
    name: String,
    recipients: usize,
    any_clickers: usize,
    genuine_clickers: usize,
    clicks: u64,
    genuine_clicks: u64,
    machine_clicks: u64,
    uncertain_clicks: u64,
    by_source: Vec<(&'static str, u64)>,
    networks: Vec<(String, u64)>,
    agents: Vec<(String, u64)>,
    /// Per bucket: machine clicks, genuine clicks.
    delays: [(u64, u64); BUCKETS.len()],
}

/// Names the network behind an address: the catalogue's operator, else
/// the ASN database's organisation, else the /24 (IPv4) or /48 (IPv6).
struct NetworkNames {
    catalog: CidrTable<NetworkEntry>,
    databases: Databases,
    lookups: LookupCache,
}

impl NetworkNames {
    fn new(args: &EngineArgs) -> Result<NetworkNames, String> {
        let mut entries = Vec::new();
        for path in &args.networks {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            entries.extend(catalog(&text, &path.display().to_string())?);
        }
        if !args.no_default_rules {
            entries.extend(catalog(DEFAULT_NETWORKS, "built-in networks")?);
        }
        let mut databases = Databases::new();
        for path in &args.mmdb {
            databases.open(path).map_err(|e| e.to_string())?;
        }
        Ok(NetworkNames {
            catalog: CidrTable::new(entries.into_iter().map(|e| (e.net, e))),
            databases,
            lookups: LookupCache::new(),
        })
    }

    fn name(&mut self, ip: IpAddr) -> String {
        let ip = ip.to_canonical();
        if let Some(entry) = self.catalog.lookup(ip) {
            return entry.operator.clone();
        }
        let has_asn = self
            .databases
            .kinds()
            .any(|k| matches!(k, DatabaseKind::Asn | DatabaseKind::Isp));
        if has_asn {
            let facts = self.databases.lookup_cached(ip, &mut self.lookups);
            if let (Some(asn), Some(org)) =
                (facts.asn, facts.as_org.as_ref().or(facts.isp.as_ref()))
            {
                return format!("AS{asn} {org}");
            }
        }
        let prefix = if ip.is_ipv4() { 24 } else { 48 };
        IpNet::new(ip, prefix).map_or(ip.to_string(), |n| n.trunc().to_string())
    }
}

fn catalog(text: &str, name: &str) -> Result<Vec<NetworkEntry>, String> {
    parse_catalog(text).map_err(|errors| format!("{name}: {}", errors.join("; ")))
}

/// The bucket of a click's delay.
fn bucket(click: &Click) -> usize {
    match click.delay_secs() {
        None => 6,
        Some(d) if d < 0.0 => 0,
        Some(d) if d < 10.0 => 1,
        Some(d) if d < 60.0 => 2,
        Some(d) if d < 300.0 => 3,
        Some(d) if d < 3600.0 => 4,
        Some(_) => 5,
    }
}

/// What one campaign's events add up to, before it is sorted into a
/// report.
#[derive(Default)]
struct Gathered<'a> {
    recipients: BTreeSet<&'a str>,
    any: BTreeSet<&'a str>,
    genuine: BTreeSet<&'a str>,
    sources: HashMap<Source, u64>,
    networks: HashMap<String, u64>,
    agents: HashMap<String, u64>,
    report: CampaignReport,
}

impl<'a> Gathered<'a> {
    fn add(&mut self, click: &'a Click, a: &Assessment, names: &mut NetworkNames) {
        self.recipients.insert(&click.recipient);
        if click.kind != EventKind::Click {
            return;
        }
        self.any.insert(&click.recipient);
        self.report.clicks += 1;
        let b = bucket(click);
        if is_genuine(click, a) {
            self.genuine.insert(&click.recipient);
            self.report.genuine_clicks += 1;
            self.report.delays[b].1 += 1;
        }
        match a.verdict {
            Verdict::Machine => self.add_machine(click, a, names, b),
            Verdict::Uncertain => self.report.uncertain_clicks += 1,
            Verdict::Human => {}
        }
    }

    fn add_machine(&mut self, click: &Click, a: &Assessment, names: &mut NetworkNames, b: usize) {
        self.report.machine_clicks += 1;
        self.report.delays[b].0 += 1;
        *self.sources.entry(a.source).or_default() += 1;
        if let Some(ip) = click.ip {
            *self.networks.entry(names.name(ip)).or_default() += 1;
        }
        let agent = click.user_agent.as_deref().unwrap_or("(none)");
        let shown: String = agent.chars().take(AGENT_SHOWN).collect();
        *self.agents.entry(shown).or_default() += 1;
    }

    fn finish(mut self, name: &str, top: usize) -> CampaignReport {
        let mut r = std::mem::take(&mut self.report);
        r.name = name.to_string();
        r.recipients = self.recipients.len();
        r.any_clickers = self.any.len();
        r.genuine_clickers = self.genuine.len();
        r.by_source = Source::ALL
            .iter()
            .filter_map(|s| self.sources.get(s).map(|n| (s.as_str(), *n)))
            .collect();
        r.networks = ranked(self.networks, top);
        r.agents = ranked(self.agents, top);
        r
    }
}

/// The `top` largest counts, ties broken by name.
fn ranked(counts: HashMap<String, u64>, top: usize) -> Vec<(String, u64)> {
    let mut list: Vec<(String, u64)> = counts.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list.truncate(top);
    list
}

fn gather(
    clicks: &[Click],
    judged: &[Assessment],
    names: &mut NetworkNames,
    top: usize,
) -> Vec<CampaignReport> {
    let mut campaigns: BTreeMap<&str, Gathered> = BTreeMap::new();
    for (click, a) in clicks.iter().zip(judged) {
        campaigns
            .entry(&click.campaign)
            .or_default()
            .add(click, a, names);
    }
    campaigns
        .into_iter()
        .map(|(name, g)| g.finish(name, top))
        .collect()
}

pub fn run(args: &ReportArgs) -> ExitCode {
    let engine = match args.engine.build() {
        Ok(e) => e,
        Err(code) => return code,
    };
    let usage = |message: String| {
        eprintln!("clicksift: {message}");
        ExitCode::from(exit::USAGE)
    };
    let mut names = match NetworkNames::new(&args.engine) {
        Ok(n) => n,
        Err(message) => return usage(message),
    };
    let log = match judge_all(&args.input, &engine) {
        Ok(log) => log,
        Err(message) => return usage(message),
    };
    let reports = gather(&log.clicks, &log.assessments, &mut names, args.top);
    let text = render_text(&reports);
    if let Err(e) = io::stdout().lock().write_all(text.as_bytes()) {
        if e.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("clicksift: standard output: {e}");
            return ExitCode::from(exit::IO);
        }
    }
    if let Some(path) = &args.html {
        let page = render_html(&args.input.name(), &reports);
        if let Err(e) = std::fs::write(path, page) {
            eprintln!("clicksift: {}: {e}", path.display());
            return ExitCode::from(exit::IO);
        }
    }
    let code = if log.rejected > 0 {
        exit::REJECTED
    } else {
        exit::OK
    };
    ExitCode::from(code)
}

/// `part` of `whole` as a percentage with one decimal.
fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "-".into();
    }
    format!("{:.1}%", part as f64 * 100.0 / whole as f64)
}

fn render_text(reports: &[CampaignReport]) -> String {
    let mut t = String::new();
    if reports.is_empty() {
        t.push_str("no clicks, opens or reports in the input\n");
    }
    for r in reports {
        let _ = writeln!(t, "Campaign {}", r.name);
        let _ = writeln!(t, "  {:<34}{}", "recipients seen", r.recipients);
        let _ = writeln!(
            t,
            "  {:<34}{} ({})",
            "recipients with any click",
            r.any_clickers,
            percent(r.any_clickers, r.recipients)
        );
        let _ = writeln!(
            t,
            "  {:<34}{} ({})",
            "recipients with a genuine click",
            r.genuine_clickers,
            percent(r.genuine_clickers, r.recipients)
        );
        let _ = writeln!(
            t,
            "  {:<34}{} ({} genuine, {} machine, {} uncertain)",
            "clicks", r.clicks, r.genuine_clicks, r.machine_clicks, r.uncertain_clicks
        );
        text_list(&mut t, "machine clicks by source", &r.by_source);
        text_list(&mut t, "top networks behind machine clicks", &r.networks);
        text_list(&mut t, "top agents behind machine clicks", &r.agents);
        let _ = writeln!(
            t,
            "  {:<34}{:>8} {:>8}",
            "delay after delivery", "machine", "genuine"
        );
        for (label, (machine, genuine)) in BUCKETS.iter().zip(&r.delays) {
            let _ = writeln!(t, "    {label:<32}{machine:>8} {genuine:>8}");
        }
        t.push('\n');
    }
    t
}

fn text_list<S: AsRef<str>>(t: &mut String, title: &str, items: &[(S, u64)]) {
    let _ = writeln!(t, "  {title}");
    if items.is_empty() {
        let _ = writeln!(t, "    (none)");
    }
    for (name, n) in items {
        let _ = writeln!(t, "    {n:>6}  {}", name.as_ref());
    }
}

/// Text made safe for HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn render_html(input: &str, reports: &[CampaignReport]) -> String {
    let mut body = String::new();
    if reports.is_empty() {
        body.push_str("<p>No clicks, opens or reports in the input.</p>");
    }
    for r in reports {
        html_campaign(&mut body, r);
    }
    TEMPLATE
        .replace("{{title}}", &escape(&format!("clicksift report: {input}")))
        .replace("{{body}}", &body)
}

fn html_campaign(b: &mut String, r: &CampaignReport) {
    let c = escape(&r.name);
    let _ = writeln!(b, "<section class=\"campaign\" data-campaign=\"{c}\">");
    let _ = writeln!(b, "<h2>Campaign {c}</h2>\n<div class=\"cards\">");
    card(
        b,
        &c,
        "recipients",
        "recipients seen",
        &r.recipients.to_string(),
        None,
    );
    let any = percent(r.any_clickers, r.recipients);
    let genuine = percent(r.genuine_clickers, r.recipients);
    card(
        b,
        &c,
        "any_rate",
        "raw click rate",
        &any,
        Some((&c, "any_clickers", r.any_clickers)),
    );
    card(
        b,
        &c,
        "genuine_rate",
        "genuine click rate",
        &genuine,
        Some((&c, "genuine_clickers", r.genuine_clickers)),
    );
    let clicks = format!(
        "<span data-key=\"{c}|genuine_clicks\">{}</span> genuine, \
         <span data-key=\"{c}|machine_clicks\">{}</span> machine, \
         <span data-key=\"{c}|uncertain_clicks\">{}</span> uncertain",
        r.genuine_clicks, r.machine_clicks, r.uncertain_clicks
    );
    let _ = writeln!(
        b,
        "<div class=\"card\"><div class=\"label\">clicks</div>\
         <div class=\"value\" data-key=\"{c}|clicks\">{}</div><div class=\"sub\">{clicks}</div></div>",
        r.clicks
    );
    b.push_str("</div>\n<div class=\"grid\">\n");
    let sources: Vec<(String, u64)> = r
        .by_source
        .iter()
        .map(|(s, n)| (s.to_string(), *n))
        .collect();
    bar_chart(b, &c, "Machine clicks by source", "source", &sources);
    delay_chart(b, &c, &r.delays);
    html_table(
        b,
        &c,
        "Top networks behind machine clicks",
        "network",
        &r.networks,
    );
    html_table(
        b,
        &c,
        "Top agents behind machine clicks",
        "agent",
        &r.agents,
    );
    b.push_str("</div>\n</section>\n");
}

fn card(
    b: &mut String,
    c: &str,
    key: &str,
    label: &str,
    value: &str,
    sub: Option<(&str, &str, usize)>,
) {
    let sub = sub.map_or(String::new(), |(c, k, n)| {
        format!("<div class=\"sub\"><span data-key=\"{c}|{k}\">{n}</span> recipients</div>")
    });
    let _ = writeln!(
        b,
        "<div class=\"card\"><div class=\"label\">{label}</div>\
         <div class=\"value\" data-key=\"{c}|{key}\">{value}</div>{sub}</div>"
    );
}

/// Horizontal bars, one per item, drawn in SVG.
fn bar_chart(b: &mut String, c: &str, title: &str, key: &str, items: &[(String, u64)]) {
    let _ = writeln!(b, "<figure><figcaption>{title}</figcaption>");
    if items.is_empty() {
        b.push_str("<p class=\"none\">none</p></figure>\n");
        return;
    }
    let max = items.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
    let height = items.len() * 26 + 4;
    let _ = writeln!(
        b,
        "<svg viewBox=\"0 0 420 {height}\" width=\"420\" height=\"{height}\" role=\"img\" \
         aria-label=\"{title}\">"
    );
    for (i, (name, n)) in items.iter().enumerate() {
        let y = i * 26 + 4;
        let w = (*n as f64 / max as f64 * 220.0).max(2.0);
        let name = escape(name);
        let _ = writeln!(
            b,
            "<text x=\"0\" y=\"{}\" class=\"axis\">{name}</text>\
             <rect x=\"130\" y=\"{y}\" width=\"{w:.1}\" height=\"18\" class=\"machine\"/>\
             <text x=\"{:.1}\" y=\"{}\" data-key=\"{c}|{key}:{name}\">{n}</text>",
            y + 13,
            130.0 + w + 6.0,
            y + 13
        );
    }
    b.push_str("</svg></figure>\n");
}

/// Paired bars per delay bucket: machine and genuine clicks.
fn delay_chart(b: &mut String, c: &str, delays: &[(u64, u64); BUCKETS.len()]) {
    let _ = writeln!(
        b,
        "<figure><figcaption>Delay after delivery: \
         <span class=\"key machine\">machine</span> <span class=\"key genuine\">genuine</span>\
         </figcaption>"
    );
    let max = delays
        .iter()
        .map(|(m, g)| (*m).max(*g))
        .max()
        .unwrap_or(1)
        .max(1);
    let height = BUCKETS.len() * 34 + 4;
    let _ = writeln!(
        b,
        "<svg viewBox=\"0 0 420 {height}\" width=\"420\" height=\"{height}\" role=\"img\" \
         aria-label=\"delays\">"
    );
    for (i, (label, (m, g))) in BUCKETS.iter().zip(delays).enumerate() {
        let y = i * 34 + 4;
        let label = escape(label);
        let _ = writeln!(
            b,
            "<text x=\"0\" y=\"{}\" class=\"axis\">{label}</text>",
            y + 18
        );
        for (row, (class, n)) in [("machine", m), ("genuine", g)].into_iter().enumerate() {
            let ry = y + row * 14;
            let w = (*n as f64 / max as f64 * 220.0).max(if *n > 0 { 2.0 } else { 0.0 });
            let _ = writeln!(
                b,
                "<rect x=\"130\" y=\"{ry}\" width=\"{w:.1}\" height=\"12\" class=\"{class}\"/>\
                 <text x=\"{:.1}\" y=\"{}\" class=\"small\" \
                 data-key=\"{c}|delay:{label}:{class}\">{n}</text>",
                130.0 + w + 6.0,
                ry + 10
            );
        }
    }
    b.push_str("</svg></figure>\n");
}

fn html_table(b: &mut String, c: &str, title: &str, key: &str, items: &[(String, u64)]) {
    let _ = writeln!(b, "<figure class=\"wide\"><figcaption>{title}</figcaption>");
    if items.is_empty() {
        b.push_str("<p class=\"none\">none</p></figure>\n");
        return;
    }
    b.push_str("<table><tbody>\n");
    for (name, n) in items {
        let name = escape(name);
        let _ = writeln!(
            b,
            "<tr><td class=\"n\" data-key=\"{c}|{key}:{name}\">{n}</td><td>{name}</td></tr>"
        );
    }
    b.push_str("</tbody></table></figure>\n");
}
