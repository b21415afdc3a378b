//! Fuzz the lottery applicants CSV reader: any bytes give Ok or a clear error
//! (whose message is formatted too), never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = catchment::io::applicants::applicants_from_bytes(data, "applicants.csv").result
    {
        let _ = e.to_string();
    }
});
