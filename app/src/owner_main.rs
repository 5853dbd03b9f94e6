//! The owner's page (`owner.html`, served at `/owner`): sales, tills, staff, set-up.

fn main() {
    till_app::mount_owner();
}
