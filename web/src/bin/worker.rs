//! Entry point of the playground's Web Worker: the engine steps the world here, off the page's
//! thread.

fn main() {
    #[cfg(target_arch = "wasm32")]
    clusterlab_web::worker::run();
}
