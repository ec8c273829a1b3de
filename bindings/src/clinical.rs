//! Clinical views of the record (filled in below).
