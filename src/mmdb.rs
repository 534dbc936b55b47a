//! Enrichment from MaxMind databases: ASN, ISP, connection type,
//! anonymous IP, country.
//!
//! A [`Databases`] value holds any subset of the supported kinds (see
//! [`DatabaseKind`]), each recognised from the `database_type` written in
//! the database's own metadata, never from its file name. Once loaded it is
//! immutable, `Send` and `Sync`, and can be shared by every thread that
//! scores clicks. [`Databases::lookup`] answers a [`NetFacts`] for one
//! address; [`Databases::lookup_cached`] does the same through a
//! [`LookupCache`] the caller owns, which pays off because a campaign's
//! clicks come from far fewer addresses than there are clicks.
//!
//! # Which database answers
//!
//! Every field of [`NetFacts`] is filled by the first loaded database that
//! knows it, in this order: ISP, ASN, Connection-Type, Anonymous-Plus,
//! Anonymous-IP, Country, City. So a commercial ISP database wins over a
//! free ASN one for `asn` and `as_org`, and the ASN database still fills
//! them where the ISP record lacks them.
//!
//! # Untrusted databases
//!
//! Loading checks the metadata and the layout of the search tree; it does
//! not walk the whole file. Lookups on a corrupt file never panic: a
//! database whose search tree or record cannot be decoded for an address
//! contributes nothing to that address's facts, and the other databases
//! still answer. [`Databases::verify`] walks every loaded file completely
//! for callers that want to reject a damaged file up front; it is not run at
//! load because it costs far more than loading: about 60 ms for a 10 MB
//! ASN database that loads from memory in 2 ms (`benches/README.md`).

use std::fmt;
use std::io;
use std::net::IpAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use hashbrown::HashMap;
use maxminddb::{LookupResult, MaxMindDbError, PathElement, Reader};
use serde::Deserialize;

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
    /// How sure the Anonymous-Plus database is that the address belongs
    /// to an anonymizer, from 1 to 99.
    pub anonymizer_confidence: Option<u16>,
    /// The anonymizer's name, such as a VPN brand (Anonymous-Plus database).
    pub anonymizer_provider: Option<String>,
    /// ISO 3166-1 alpha-2 country code (Country or City database).
    pub country: Option<String>,
}

/// The kinds of database [`Databases`] can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DatabaseKind {
    /// Autonomous system number and organisation (GeoLite2-ASN,
    /// DBIP-ASN-Lite, and databases built by `clicksift asn-db`).
    Asn,
    /// ISP, organisation and autonomous system (GeoIP2-ISP).
    Isp,
    /// Connection type (GeoIP2-Connection-Type).
    ConnectionType,
    /// Anonymous-network flags (GeoIP2-Anonymous-IP).
    AnonymousIp,
    /// Anonymous-network flags with confidence and provider
    /// (GeoIP-Anonymous-Plus).
    AnonymousPlus,
    /// Country (GeoIP2-Country, GeoLite2-Country, DBIP-Country-Lite).
    Country,
    /// City, of which only the country is used (GeoIP2-City,
    /// GeoLite2-City, DBIP-City-Lite).
    City,
}

/// Every kind, in the order in which they answer a lookup.
const LOOKUP_ORDER: [DatabaseKind; 7] = [
    DatabaseKind::Isp,
    DatabaseKind::Asn,
    DatabaseKind::ConnectionType,
    DatabaseKind::AnonymousPlus,
    DatabaseKind::AnonymousIp,
    DatabaseKind::Country,
    DatabaseKind::City,
];

/// The `database_type` names recognised for each kind.
///
/// # Limitations
///
/// The DB-IP names are the ones DB-IP documents for its free databases;
/// no DB-IP file was at hand to test them. Another vendor's file can be
/// loaded with [`Databases::add_bytes_as`].
const TYPE_NAMES: [(&str, DatabaseKind); 19] = [
    ("GeoLite2-ASN", DatabaseKind::Asn),
    ("DBIP-ASN-Lite", DatabaseKind::Asn),
    ("GeoIP2-ISP", DatabaseKind::Isp),
    ("GeoIP2-Connection-Type", DatabaseKind::ConnectionType),
    ("GeoIP2-Anonymous-IP", DatabaseKind::AnonymousIp),
    ("GeoIP-Anonymous-Plus", DatabaseKind::AnonymousPlus),
    ("GeoIP2-Country", DatabaseKind::Country),
    ("GeoLite2-Country", DatabaseKind::Country),
    ("GeoIP2-Country-Shield", DatabaseKind::Country),
    ("DBIP-Country", DatabaseKind::Country),
    ("DBIP-Country-Lite", DatabaseKind::Country),
    ("DBIP-Location-Country", DatabaseKind::Country),
    ("GeoIP2-City", DatabaseKind::City),
    ("GeoLite2-City", DatabaseKind::City),
    ("GeoIP2-City-Shield", DatabaseKind::City),
    ("DBIP-City", DatabaseKind::City),
    ("DBIP-City-Lite", DatabaseKind::City),
    ("DBIP-Location", DatabaseKind::City),
    ("DBIP-Location-City", DatabaseKind::City),
];

impl DatabaseKind {
    /// The kind a metadata `database_type` names, if it is supported.
    ///
    /// A name of the form `Vendor-Name (compat=GeoLite2-ASN)` is read as
    /// the kind named after `compat=`, the convention DB-IP uses for files
    /// laid out like MaxMind's.
    pub fn from_database_type(database_type: &str) -> Option<DatabaseKind> {
        let name = compat_name(database_type).unwrap_or(database_type).trim();
        TYPE_NAMES
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, kind)| *kind)
    }

    /// A short name for messages: `ASN`, `ISP`, `Connection-Type`, ...
    pub fn name(self) -> &'static str {
        match self {
            DatabaseKind::Asn => "ASN",
            DatabaseKind::Isp => "ISP",
            DatabaseKind::ConnectionType => "Connection-Type",
            DatabaseKind::AnonymousIp => "Anonymous-IP",
            DatabaseKind::AnonymousPlus => "Anonymous-Plus",
            DatabaseKind::Country => "Country",
            DatabaseKind::City => "City",
        }
    }

    /// The slot of this kind in [`Databases`]: its place in the lookup order.
    fn slot(self) -> usize {
        LOOKUP_ORDER
            .iter()
            .position(|kind| *kind == self)
            .unwrap_or(0)
    }
}

impl fmt::Display for DatabaseKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The name after `(compat=` in a database type, if there is one.
fn compat_name(database_type: &str) -> Option<&str> {
    let (_, rest) = database_type.split_once("(compat=")?;
    rest.strip_suffix(')')
}

/// Source of unique identities for [`Databases`] values, so a
/// [`LookupCache`] notices when it is used with another set.
static NEXT_DATABASES_ID: AtomicU64 = AtomicU64::new(1);

fn next_databases_id() -> u64 {
    NEXT_DATABASES_ID.fetch_add(1, Ordering::Relaxed)
}

/// One loaded database.
struct Loaded {
    name: String,
    reader: Reader<Vec<u8>>,
}

/// A set of MaxMind databases, any subset of the supported kinds.
///
/// At most one database of each kind is held: adding a second one of a
/// kind already loaded is an error (see [`DatabaseErrorKind::Duplicate`]),
/// because two files answering the same question would make the answer
/// depend on loading order. To replace a database, build a new set.
pub struct Databases {
    slots: [Option<Loaded>; LOOKUP_ORDER.len()],
    id: u64,
}

impl Default for Databases {
    fn default() -> Databases {
        Databases::new()
    }
}

impl fmt::Debug for Databases {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let loaded = self
            .loaded()
            .map(|(kind, db)| (kind.name(), db.name.as_str()));
        f.debug_map().entries(loaded).finish()
    }
}

impl Databases {
    /// An empty set: every lookup answers nothing.
    pub fn new() -> Databases {
        Databases {
            slots: Default::default(),
            id: next_databases_id(),
        }
    }

    /// True when no database is loaded.
    pub fn is_empty(&self) -> bool {
        self.slots.iter().all(Option::is_none)
    }

    /// The kinds loaded, in lookup order.
    pub fn kinds(&self) -> impl Iterator<Item = DatabaseKind> + '_ {
        self.loaded().map(|(kind, _)| kind)
    }

    /// The `database_type` from the metadata of the loaded database of
    /// `kind`, if one is loaded.
    pub fn database_type(&self, kind: DatabaseKind) -> Option<&str> {
        let loaded = self.slots.get(kind.slot())?.as_ref()?;
        Some(loaded.reader.metadata().database_type.as_str())
    }

    /// Reads the database file at `path` whole into memory and adds it.
    ///
    /// # Errors
    ///
    /// [`DatabaseErrorKind::Unreadable`] when the file cannot be read,
    /// and the errors of [`Databases::add_bytes`].
    pub fn open(&mut self, path: impl AsRef<Path>) -> Result<DatabaseKind, DatabaseError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        match std::fs::read(path) {
            Ok(bytes) => self.add_bytes(&name, bytes),
            Err(err) => Err(DatabaseError::new(&name, DatabaseErrorKind::Unreadable)
                .with_source(ErrorSource::Io(err))),
        }
    }

    /// Adds a database held in memory; `name` (a file name, say) only
    /// appears in errors.
    ///
    /// # Errors
    ///
    /// [`DatabaseErrorKind::Malformed`] when the bytes are not a MaxMind
    /// database, [`DatabaseErrorKind::UnknownType`] when its
    /// `database_type` is not a supported kind, and
    /// [`DatabaseErrorKind::Duplicate`] when a database of the same kind
    /// is already loaded.
    pub fn add_bytes(&mut self, name: &str, bytes: Vec<u8>) -> Result<DatabaseKind, DatabaseError> {
        let reader = read_database(name, bytes)?;
        let database_type = &reader.metadata().database_type;
        let Some(kind) = DatabaseKind::from_database_type(database_type) else {
            return Err(DatabaseError::new(name, DatabaseErrorKind::UnknownType)
                .with_database_type(database_type));
        };
        self.insert(name, kind, reader)
    }

    /// Adds a database held in memory as a database of `kind`, whatever
    /// its metadata says: for a vendor's file laid out like one of the
    /// supported kinds under another `database_type`.
    ///
    /// # Errors
    ///
    /// [`DatabaseErrorKind::Malformed`] and
    /// [`DatabaseErrorKind::Duplicate`], as for [`Databases::add_bytes`].
    pub fn add_bytes_as(
        &mut self,
        name: &str,
        bytes: Vec<u8>,
        kind: DatabaseKind,
    ) -> Result<DatabaseKind, DatabaseError> {
        let reader = read_database(name, bytes)?;
        self.insert(name, kind, reader)
    }

    /// Walks every loaded database completely, checking the search tree,
    /// the data section and the metadata.
    ///
    /// # Errors
    ///
    /// [`DatabaseErrorKind::Corrupt`] for the first database that fails.
    pub fn verify(&self) -> Result<(), DatabaseError> {
        for (kind, loaded) in self.loaded() {
            loaded.reader.verify().map_err(|err| {
                DatabaseError::new(&loaded.name, DatabaseErrorKind::Corrupt)
                    .with_database_type(&loaded.reader.metadata().database_type)
                    .with_database_kind(kind)
                    .with_source(ErrorSource::Database(err))
            })?;
        }
        Ok(())
    }

    /// What the loaded databases know about `ip`.
    ///
    /// An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) is looked up as
    /// the IPv4 address it carries. A database that cannot answer for
    /// `ip` (an IPv6 address in an IPv4 database, or a record it cannot
    /// decode) leaves its fields to the others.
    pub fn lookup(&self, ip: IpAddr) -> NetFacts {
        let ip = ip.to_canonical();
        let mut facts = NetFacts::default();
        for (kind, loaded) in self.loaded() {
            // A corrupt record only costs this database's answer.
            let _ = fill(kind, &loaded.reader, ip, &mut facts);
        }
        facts
    }

    /// What the loaded databases know about `ip`, remembered in `cache`.
    ///
    /// The answer is the one [`Databases::lookup`] gives. A cache used
    /// with another [`Databases`] value (or after this one gained a
    /// database) forgets what it held before answering.
    pub fn lookup_cached<'c>(&self, ip: IpAddr, cache: &'c mut LookupCache) -> &'c NetFacts {
        let ip = ip.to_canonical();
        cache.make_room(self.id, ip);

        // A hit in the old generation moves to the current one.
        let LookupCache { current, old, .. } = cache;
        current
            .entry(ip)
            .or_insert_with(|| old.remove(&ip).unwrap_or_else(|| self.lookup(ip)))
    }

    fn loaded(&self) -> impl Iterator<Item = (DatabaseKind, &Loaded)> {
        let slots = self.slots.iter();
        LOOKUP_ORDER
            .iter()
            .zip(slots)
            .filter_map(|(kind, slot)| Some((*kind, slot.as_ref()?)))
    }

    fn insert(
        &mut self,
        name: &str,
        kind: DatabaseKind,
        reader: Reader<Vec<u8>>,
    ) -> Result<DatabaseKind, DatabaseError> {
        let slot = self.slots.get_mut(kind.slot());
        let Some(slot) = slot else {
            return Err(DatabaseError::new(name, DatabaseErrorKind::UnknownType));
        };
        if let Some(existing) = slot {
            let err = DatabaseError::new(name, DatabaseErrorKind::Duplicate)
                .with_database_type(&reader.metadata().database_type)
                .with_database_kind(kind)
                .with_other(&existing.name);
            return Err(err);
        }
        *slot = Some(Loaded {
            name: name.to_owned(),
            reader,
        });
        self.id = next_databases_id();
        Ok(kind)
    }
}

fn read_database(name: &str, bytes: Vec<u8>) -> Result<Reader<Vec<u8>>, DatabaseError> {
    Reader::from_source(bytes).map_err(|err| {
        DatabaseError::new(name, DatabaseErrorKind::Malformed)
            .with_source(ErrorSource::Database(err))
    })
}

/// Adds to `facts` what the database of `kind` says about `ip`.
fn fill(
    kind: DatabaseKind,
    reader: &Reader<Vec<u8>>,
    ip: IpAddr,
    facts: &mut NetFacts,
) -> Result<(), MaxMindDbError> {
    if ip.is_ipv6() && reader.metadata().ip_version == 4 {
        return Ok(());
    }
    let found = reader.lookup(ip)?;
    if !found.has_data() {
        return Ok(());
    }
    match kind {
        DatabaseKind::Asn | DatabaseKind::Isp => fill_network(&found, facts),
        DatabaseKind::ConnectionType => fill_connection_type(&found, facts),
        DatabaseKind::AnonymousIp | DatabaseKind::AnonymousPlus => fill_anonymous(&found, facts),
        DatabaseKind::Country | DatabaseKind::City => fill_country(&found, facts),
    }
}

/// The fields of the ASN and ISP records that clicksift uses.
#[derive(Deserialize)]
struct NetworkRecord<'a> {
    autonomous_system_number: Option<u32>,
    #[serde(borrow)]
    autonomous_system_organization: Option<&'a str>,
    isp: Option<&'a str>,
    organization: Option<&'a str>,
}

/// The fields of the Anonymous-IP and Anonymous-Plus records.
#[derive(Deserialize)]
struct AnonymousRecord<'a> {
    is_anonymous: Option<bool>,
    is_anonymous_vpn: Option<bool>,
    is_hosting_provider: Option<bool>,
    is_public_proxy: Option<bool>,
    is_residential_proxy: Option<bool>,
    is_tor_exit_node: Option<bool>,
    anonymizer_confidence: Option<u16>,
    #[serde(borrow)]
    provider_name: Option<&'a str>,
}

/// The field of the Connection-Type record.
#[derive(Deserialize)]
struct ConnectionTypeRecord<'a> {
    #[serde(borrow)]
    connection_type: Option<&'a str>,
}

fn fill_network(found: &LookupResult<'_, Vec<u8>>, facts: &mut NetFacts) -> DecodeResult {
    let Some(record) = found.decode::<NetworkRecord>()? else {
        return Ok(());
    };
    keep_first(&mut facts.asn, record.autonomous_system_number);
    keep_first_str(&mut facts.as_org, record.autonomous_system_organization);
    keep_first_str(&mut facts.isp, record.isp);
    keep_first_str(&mut facts.org, record.organization);
    Ok(())
}

fn fill_connection_type(found: &LookupResult<'_, Vec<u8>>, facts: &mut NetFacts) -> DecodeResult {
    if let Some(record) = found.decode::<ConnectionTypeRecord>()? {
        keep_first_str(&mut facts.connection_type, record.connection_type);
    }
    Ok(())
}

fn fill_anonymous(found: &LookupResult<'_, Vec<u8>>, facts: &mut NetFacts) -> DecodeResult {
    let Some(record) = found.decode::<AnonymousRecord>()? else {
        return Ok(());
    };
    keep_first(&mut facts.anonymous, record.is_anonymous);
    keep_first(&mut facts.anonymous_vpn, record.is_anonymous_vpn);
    keep_first(&mut facts.hosting, record.is_hosting_provider);
    keep_first(&mut facts.public_proxy, record.is_public_proxy);
    keep_first(&mut facts.residential_proxy, record.is_residential_proxy);
    keep_first(&mut facts.tor_exit, record.is_tor_exit_node);
    keep_first(
        &mut facts.anonymizer_confidence,
        record.anonymizer_confidence,
    );
    keep_first_str(&mut facts.anonymizer_provider, record.provider_name);
    Ok(())
}

/// Country and City records share the `country.iso_code` path; reading
/// only that path skips decoding the many localised names.
fn fill_country(found: &LookupResult<'_, Vec<u8>>, facts: &mut NetFacts) -> DecodeResult {
    if facts.country.is_some() {
        return Ok(());
    }
    let path = [PathElement::Key("country"), PathElement::Key("iso_code")];
    let iso_code: Option<&str> = found.decode_path(&path)?;
    keep_first_str(&mut facts.country, iso_code);
    Ok(())
}

type DecodeResult = Result<(), MaxMindDbError>;

fn keep_first<T>(slot: &mut Option<T>, value: Option<T>) {
    if slot.is_none() {
        *slot = value;
    }
}

fn keep_first_str(slot: &mut Option<String>, value: Option<&str>) {
    if slot.is_none() {
        *slot = value.map(str::to_owned);
    }
}

/// How many addresses one generation of a [`LookupCache`] holds before it
/// is retired; the cache holds at most twice this many.
pub const CACHE_GENERATION_CAPACITY: usize = 8192;

/// Remembers the answers of [`Databases::lookup_cached`], bounded.
///
/// The cache keeps two generations of answers. New answers go into the
/// current one; when it is full it becomes the old one and the previous
/// old one is dropped whole. An address found in the old generation moves
/// back into the current one, so addresses seen again within the last
/// one or two generations stay cached while one-off addresses age out.
/// This costs no bookkeeping per hit, unlike a least-recently-used list.
#[derive(Clone, Debug)]
pub struct LookupCache {
    current: HashMap<IpAddr, NetFacts>,
    old: HashMap<IpAddr, NetFacts>,
    capacity: usize,
    owner: u64,
}

impl Default for LookupCache {
    fn default() -> LookupCache {
        LookupCache::new()
    }
}

impl LookupCache {
    /// A cache whose generations hold [`CACHE_GENERATION_CAPACITY`]
    /// addresses each.
    pub fn new() -> LookupCache {
        LookupCache::with_capacity(CACHE_GENERATION_CAPACITY)
    }

    /// A cache whose generations hold `capacity` addresses each (at least
    /// one).
    pub fn with_capacity(capacity: usize) -> LookupCache {
        LookupCache {
            current: HashMap::new(),
            old: HashMap::new(),
            capacity: capacity.max(1),
            owner: 0,
        }
    }

    /// How many addresses the cache holds now.
    pub fn len(&self) -> usize {
        self.current.len() + self.old.len()
    }

    /// True when the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every answer.
    pub fn clear(&mut self) {
        self.current.clear();
        self.old.clear();
    }

    /// Prepares to store the answer for `ip` from the databases `owner`.
    fn make_room(&mut self, owner: u64, ip: IpAddr) {
        if self.owner != owner {
            self.clear();
            self.owner = owner;
        }
        if self.current.len() >= self.capacity && !self.current.contains_key(&ip) {
            std::mem::swap(&mut self.current, &mut self.old);
            self.current.clear();
        }
    }
}

/// What went wrong loading or verifying a database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DatabaseErrorKind {
    /// The file could not be read: missing, unreadable.
    Unreadable,
    /// The bytes are not a MaxMind database, or its metadata or search
    /// tree layout is broken.
    Malformed,
    /// The metadata names a `database_type` that is not supported.
    UnknownType,
    /// A database of the same kind is already loaded.
    Duplicate,
    /// [`Databases::verify`] found damage inside the database.
    Corrupt,
}

/// The dependency error behind a [`DatabaseError`].
#[derive(Debug)]
enum ErrorSource {
    Io(io::Error),
    Database(MaxMindDbError),
}

/// A database could not be loaded or failed verification.
#[derive(Debug)]
pub struct DatabaseError {
    detail: Box<ErrorDetail>,
}

/// What a [`DatabaseError`] knows, boxed to keep results small.
#[derive(Debug)]
struct ErrorDetail {
    name: String,
    kind: DatabaseErrorKind,
    database_type: Option<String>,
    database_kind: Option<DatabaseKind>,
    other: Option<String>,
    source: Option<ErrorSource>,
}

impl DatabaseError {
    fn new(name: &str, kind: DatabaseErrorKind) -> DatabaseError {
        let detail = ErrorDetail {
            name: name.to_owned(),
            kind,
            database_type: None,
            database_kind: None,
            other: None,
            source: None,
        };
        DatabaseError {
            detail: Box::new(detail),
        }
    }

    fn with_source(mut self, source: ErrorSource) -> DatabaseError {
        self.detail.source = Some(source);
        self
    }

    fn with_database_type(mut self, database_type: &str) -> DatabaseError {
        self.detail.database_type = Some(database_type.to_owned());
        self
    }

    fn with_database_kind(mut self, kind: DatabaseKind) -> DatabaseError {
        self.detail.database_kind = Some(kind);
        self
    }

    fn with_other(mut self, other: &str) -> DatabaseError {
        self.detail.other = Some(other.to_owned());
        self
    }

    /// The path or name of the database.
    pub fn name(&self) -> &str {
        &self.detail.name
    }

    /// What went wrong.
    pub fn kind(&self) -> DatabaseErrorKind {
        self.detail.kind
    }

    /// The `database_type` from the metadata, when it was read.
    pub fn database_type(&self) -> Option<&str> {
        self.detail.database_type.as_deref()
    }

    /// The kind of the database, for [`DatabaseErrorKind::Duplicate`] and
    /// [`DatabaseErrorKind::Corrupt`].
    pub fn database_kind(&self) -> Option<DatabaseKind> {
        self.detail.database_kind
    }
}

impl fmt::Display for DatabaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let detail = &self.detail;
        let name = &detail.name;
        let database_type = detail.database_type.as_deref().unwrap_or("?");
        let kind = detail.database_kind.map_or("?", DatabaseKind::name);
        match detail.kind {
            DatabaseErrorKind::Unreadable => write!(f, "{name}: cannot read the database file"),
            DatabaseErrorKind::Malformed => write!(f, "{name}: not a valid MaxMind database"),
            DatabaseErrorKind::UnknownType => {
                write!(f, "{name}: unsupported database type {database_type:?}")
            }
            DatabaseErrorKind::Duplicate => {
                let other = detail.other.as_deref().unwrap_or("?");
                write!(
                    f,
                    "{name}: the {kind} database is already loaded from {other}"
                )
            }
            DatabaseErrorKind::Corrupt => write!(f, "{name}: the {kind} database is corrupt"),
        }
    }
}

impl std::error::Error for DatabaseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self.detail.source.as_ref()? {
            ErrorSource::Io(err) => Some(err),
            ErrorSource::Database(err) => Some(err),
        }
    }
}
