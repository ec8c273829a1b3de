//! Saving a check-in: the item, and at once a safety alert when the answers
//! call for one (no network needed).

use crate::checkin::{CheckInSaved, MoodCheckIn, Phq9CheckIn};
use crate::error::Result;
use crate::store::Store;

impl Store {
    pub fn check_in_mood(&self, check_in: MoodCheckIn) -> Result<CheckInSaved<MoodCheckIn>> {
        let crisis = check_in.crisis;
        let item = self.create(check_in)?;
        let safety_alert = if crisis {
            Some(self.safety_alert(crate::safety::AlertReason::MoodCrisis)?)
        } else {
            None
        };
        Ok(CheckInSaved { item, safety_alert })
    }

    pub fn check_in_phq9(&self, check_in: Phq9CheckIn) -> Result<CheckInSaved<Phq9CheckIn>> {
        let flagged = check_in.item9_flag();
        let item = self.create(check_in)?;
        let safety_alert = if flagged {
            Some(self.safety_alert(crate::safety::AlertReason::Phq9Item9)?)
        } else {
            None
        };
        Ok(CheckInSaved { item, safety_alert })
    }
}
