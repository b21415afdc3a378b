//! Fuzz the enrollment CSV reader (and the housing reader, same bytes): any
//! bytes give Ok or a clear error (whose message is formatted too), never a
//! panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = catchment::io::enrollment::enrollment_from_bytes(data, "enrollment.csv").result
    {
        let _ = e.to_string();
    }
    if let Err(e) = catchment::io::enrollment::housing_from_bytes(data, "housing.csv").result {
        let _ = e.to_string();
    }
});
