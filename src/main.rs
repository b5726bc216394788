//! The web app's entry point: panic hook, logger, mount. Trunk builds it for wasm32.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    // Fails only if a logger is already set, which leaves logging working.
    let _ = console_log::init_with_level(log::Level::Info);
    leptos::mount::mount_to_body(price_war_lab::ui::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "price-war-lab is the web app: build and serve it with the serve command in README.md. \
         The native trainer is `cargo run --release --bin train`."
    );
    std::process::exit(2);
}
