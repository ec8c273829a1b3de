// Rapport for Android: the library (AAR) over the Rust core, and a sample app.
// The Rust build runs from the workspace root (..) with cargo and cargo-ndk;
// see android/README.md for the toolchain this needs.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "rapport-android"
include(":lib", ":app")
