//! Writes `data/wuzhai/amap_schools.geojson`: the example's schools as an
//! Amap (高德) export would give them, in GCJ-02, for the README's
//! `catchment convert` example:
//! `cargo run --release --example gen_amap`.

use catchment::spatial::coords::wgs84_to_gcj02;

fn main() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/wuzhai/schools.geojson");
    let text = std::fs::read_to_string(path).expect("the example's schools");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("GeoJSON");
    for f in v["features"].as_array_mut().expect("features") {
        let c = &mut f["geometry"]["coordinates"];
        let (lon, lat) = (c[0].as_f64().expect("lon"), c[1].as_f64().expect("lat"));
        let (x, y) = wgs84_to_gcj02(lon, lat);
        *c = serde_json::json!([(x * 1e6).round() / 1e6, (y * 1e6).round() / 1e6]);
    }
    let out = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/wuzhai/amap_schools.geojson"
    );
    std::fs::write(out, format!("{}\n", v)).expect("write");
    println!("wrote {out}");
}
