//! The profile document: the one typed [`Profile`] of a record, and the
//! parts kept beside it in the same document, the after-care plan and the
//! zone history (so they sync with it). One concept: saving the first
//! profile starts its zone history, and the zone lives in the profile.

use automerge::ROOT;
use chrono_tz::Tz;
use rapport_protocol::DocKind;

use crate::error::{Error, Result};
use crate::id::ItemId;
use crate::profile::{AFTER_CARE_KEY, AfterCarePlan, Profile, read_after_care, record_map};
use crate::record::Item;
use crate::store::{ListQuery, MAX_PAGE, Store};
use crate::time_zone::{
    DEVICE_ZONE_KEY, MAX_CHANGES, TimeZones, ZONES_KEY, ZoneChange, parse_zone, read_zone_changes,
};

impl Store {
    /// The id of this record's own profile document, if one exists (a
    /// therapist's device also holds its clients' profiles; those are not
    /// its own).
    pub(crate) fn profile_id(&self) -> Result<Option<ItemId>> {
        self.profile_id_of(None)
    }

    /// The profile of `owner`'s record on this device (`None`: this
    /// device's own account).
    pub(crate) fn profile_id_of(&self, owner: Option<&str>) -> Result<Option<ItemId>> {
        let query = ListQuery {
            kinds: vec![DocKind::Profile],
            limit: MAX_PAGE,
            ..Default::default()
        };
        let owners = self.owner_map()?;
        Ok(self
            .list(&query)?
            .into_iter()
            .map(|s| s.id)
            .filter(|id| owners.get(id).map(String::as_str) == owner)
            .min())
    }

    /// The profile, or the default one if none was saved yet.
    pub fn profile(&self) -> Result<Profile> {
        match self.profile_id()? {
            Some(id) => Ok(self.get::<Profile>(&id)?.record),
            None => Ok(Profile::default()),
        }
    }

    /// Saves the profile, creating it on first use.
    pub fn save_profile(&self, profile: Profile) -> Result<Item<Profile>> {
        match self.profile_id()? {
            Some(id) => self.update(&id, profile),
            None => {
                let item = self.create(profile)?;
                self.seed_zone(&item.id)?;
                Ok(item)
            }
        }
    }
}

impl Store {
    /// The warning signs and the plan for after (empty until written).
    pub fn after_care_plan(&self) -> Result<AfterCarePlan> {
        match self.profile_id()? {
            None => Ok(AfterCarePlan::default()),
            Some(id) => {
                let mut plan = None;
                self.with_documents(std::slice::from_ref(&id), |id, env, document| {
                    if !env.deleted {
                        plan = Some(read_after_care(document, id)?);
                    }
                    Ok(())
                })?;
                Ok(plan.unwrap_or_default())
            }
        }
    }

    /// Saves the warning signs and the plan for after in the profile
    /// (creating a default profile on first use); it syncs with it.
    pub fn save_after_care_plan(&self, plan: AfterCarePlan) -> Result<AfterCarePlan> {
        plan.validate()?;
        let id = match self.profile_id()? {
            Some(id) => id,
            None => self.save_profile(Profile::default())?.meta.id,
        };
        self.edit_document(&id, Some(DocKind::Profile), |document, now| {
            let record = record_map(document, &id)?;
            if read_after_care(document, &id)? == plan {
                // Nothing changed: no change to store, sync or announce.
                return Ok(());
            }
            crate::doc::write_part(document, &record, AFTER_CARE_KEY, &plan)?;
            autosurgeon::reconcile_prop(document, ROOT, "updated_at", now.timestamp_millis())
                .map_err(|e| Error::Storage(e.to_string()))?;
            Ok(())
        })?;
        Ok(plan)
    }
}

impl Store {
    /// This record's zone now (the profile's latest, else this device's).
    pub fn time_zone(&self) -> Result<Option<String>> {
        if let Some(latest) = self.own_zone_changes()?.last() {
            return Ok(Some(latest.zone.clone()));
        }
        self.device_setting(DEVICE_ZONE_KEY)
    }

    /// Sets the zone the client lives in now (an IANA name; the shells pass
    /// the system's at launch and whenever it changes). Kept on the device
    /// and, when the record has a profile, added to its history there, so
    /// that it syncs. Setting the zone already in effect changes nothing.
    pub fn set_time_zone(&self, zone: &str) -> Result<()> {
        let tz = parse_zone(zone)?;
        self.set_device_setting(DEVICE_ZONE_KEY, tz.name())?;
        if let Some(id) = self.profile_id()? {
            self.add_zone_change(&id, tz)?;
        }
        Ok(())
    }

    /// The time zones of this device's own record.
    pub fn own_time_zones(&self) -> Result<TimeZones> {
        let changes = self.own_zone_changes()?;
        if !changes.is_empty() {
            return Ok(TimeZones::from_changes(&changes));
        }
        self.device_time_zones()
    }

    /// This device's zone alone (UTC if it was never set).
    pub(crate) fn device_time_zones(&self) -> Result<TimeZones> {
        Ok(match self.device_setting(DEVICE_ZONE_KEY)? {
            Some(name) => parse_zone(&name).map_or_else(|_| TimeZones::utc(), TimeZones::fixed),
            None => TimeZones::utc(),
        })
    }

    /// The zone history kept in the profile document `id`.
    pub(crate) fn zone_changes(&self, id: &ItemId) -> Result<Vec<ZoneChange>> {
        let mut changes = Vec::new();
        self.with_documents(std::slice::from_ref(id), |id, env, document| {
            if !env.deleted {
                changes = read_zone_changes(document, id)?;
            }
            Ok(())
        })?;
        Ok(changes)
    }

    fn own_zone_changes(&self) -> Result<Vec<ZoneChange>> {
        match self.profile_id()? {
            Some(id) => self.zone_changes(&id),
            None => Ok(Vec::new()),
        }
    }

    /// Adds `zone` to the profile's history unless it is the zone in effect.
    pub(crate) fn add_zone_change(&self, id: &ItemId, zone: Tz) -> Result<()> {
        self.edit_document(id, Some(DocKind::Profile), |document, now| {
            let record = record_map(document, id)?;
            let mut changes = read_zone_changes(document, id)?;
            if TimeZones::from_changes(&changes).latest() == Some(zone) {
                return Ok(());
            }
            changes.push(ZoneChange {
                since: now,
                zone: zone.name().to_owned(),
            });
            if changes.len() > MAX_CHANGES {
                changes.drain(..changes.len() - MAX_CHANGES);
            }
            autosurgeon::reconcile_prop(document, &record, ZONES_KEY, &changes)
                .map_err(|e| Error::Storage(e.to_string()))?;
            Ok(())
        })
    }

    /// Called when the profile is first created: the device's zone becomes
    /// the start of its history.
    pub(crate) fn seed_zone(&self, id: &ItemId) -> Result<()> {
        match self.device_setting(DEVICE_ZONE_KEY)? {
            Some(name) => match parse_zone(&name) {
                Ok(tz) => self.add_zone_change(id, tz),
                Err(_) => Ok(()),
            },
            None => Ok(()),
        }
    }
}
