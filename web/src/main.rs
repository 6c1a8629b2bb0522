//! Entry point of the browser build: mounts the playground on the page's body.

fn main() {
    clusterlab_web::start();
}
