//! The till's page (`index.html`): sell, pay, sync.

fn main() {
    till_app::mount_till();
}
