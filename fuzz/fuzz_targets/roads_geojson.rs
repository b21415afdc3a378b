//! Fuzz the road GeoJSON reader: any text gives road lines or a clear
//! error (whose message is formatted too), never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = catchment::io::roads::roads_geojson_from_str(text, "roads.geojson") {
        let _ = e.to_string();
    }
});
