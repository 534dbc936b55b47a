//! Enrichment from MaxMind databases: ASN, ISP, connection type,
//! anonymous IP, country.

use std::net::IpAddr;

/// What the databases know about one address. Every field is `None` when
/// no loaded database answers for it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetFacts {
    /// Autonomous system number (ASN or ISP database).
    pub asn: Option<u32>,
    /// Autonomous system organisation (ASN or ISP database).
    pub as_org: Option<String>,
    /// ISP name (ISP database).
    pub isp: Option<String>,
    /// Organisation name (ISP database).
    pub org: Option<String>,
    /// `Cable/DSL`, `Cellular`, `Corporate` or `Satellite`
    /// (Connection-Type database).
    pub connection_type: Option<String>,
    /// Any of the anonymous flags below (Anonymous-IP database).
    pub anonymous: Option<bool>,
    /// A VPN provider's address.
    pub anonymous_vpn: Option<bool>,
    /// A hosting or VPN provider's address.
    pub hosting: Option<bool>,
    /// A public proxy.
    pub public_proxy: Option<bool>,
    /// A residential proxy.
    pub residential_proxy: Option<bool>,
    /// A Tor exit node.
    pub tor_exit: Option<bool>,
    /// ISO 3166-1 alpha-2 country code (Country or City database).
    pub country: Option<String>,
}

/// A set of MaxMind databases, any subset of the supported kinds.
#[derive(Default)]
pub struct Databases {}

impl Databases {
    /// An empty set: every lookup answers nothing.
    pub fn new() -> Databases {
        Databases {}
    }

    /// True when no database is loaded.
    pub fn is_empty(&self) -> bool {
        true
    }

    /// What the loaded databases know about `ip`.
    pub fn lookup(&self, ip: IpAddr) -> NetFacts {
        let _ = ip;
        NetFacts::default()
    }
}

/// Caller-owned memo of lookups.
#[derive(Debug, Default)]
pub struct LookupCache {
    empty: NetFacts,
}

impl Databases {
    /// What the loaded databases know about `ip`, through the cache.
    pub fn lookup_cached<'c>(&self, ip: IpAddr, cache: &'c mut LookupCache) -> &'c NetFacts {
        let _ = ip;
        &cache.empty
    }
}

impl Databases {
    /// Opens a database file.
    ///
    /// # Errors
    ///
    /// Always fails until databases are supported.
    pub fn open(&mut self, path: impl AsRef<std::path::Path>) -> Result<(), String> {
        Err(format!(
            "{}: MaxMind databases are not supported yet",
            path.as_ref().display()
        ))
    }
}
