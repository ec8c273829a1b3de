// The Rapport Android library (AAR): the Rust core for arm64-v8a, armeabi-v7a
// and x86_64 (cargo-ndk), the Kotlin bindings uniffi generates from it, and the
// hand-written layer in src/main/kotlin (package app.rapport), which is plain
// Kotlin/JVM and is also compiled and tested by ../jvm (Maven).
import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.android)
}

val workspaceDir: File = rootDir.parentFile
val cargoProfile: String = providers.gradleProperty("rapport.cargoProfile").getOrElse("release-mobile")
val androidAbis = listOf("arm64-v8a", "armeabi-v7a", "x86_64")
val minSdkVersion = 26
val jniLibsDir = layout.buildDirectory.dir("generated/jniLibs")
val uniffiKotlinDir = layout.buildDirectory.dir("generated/source/uniffi/kotlin")

// Builds librapport_ffi.so for every ABI into build/generated/jniLibs/<abi>/.
// Always runs: cargo itself knows whether anything changed, and the Rust
// sources span the whole workspace.
val cargoNdk by tasks.registering(Exec::class) {
    group = "rust"
    description = "Builds librapport_ffi.so for each Android ABI with cargo-ndk."
    workingDir = workspaceDir
    val args = mutableListOf("cargo", "ndk", "--platform", minSdkVersion.toString())
    androidAbis.forEach { args += listOf("-t", it) }
    args += listOf("-o", jniLibsDir.get().asFile.path, "build", "-p", "rapport-ffi", "--lib", "--profile", cargoProfile)
    commandLine(args)
    outputs.dir(jniLibsDir)
    outputs.upToDateWhen { false }
}

// The bindings are generated from a host build of the library, not from the
// Android ones: release-mobile strips symbols, and uniffi's library mode reads
// its metadata from them. The bindings are the same for every target.
val cargoTargetDir: File = System.getenv("CARGO_TARGET_DIR")?.let(::File) ?: File(workspaceDir, "target")
val hostLibrary: File = File(
    cargoTargetDir,
    "debug/librapport_ffi." +
        if (System.getProperty("os.name").lowercase().contains("mac")) "dylib" else "so",
)

val cargoBuildHost by tasks.registering(Exec::class) {
    group = "rust"
    description = "Builds the host library the bindings are generated from."
    workingDir = workspaceDir
    commandLine("cargo", "build", "-q", "-p", "rapport-ffi")
    outputs.file(hostLibrary)
    outputs.upToDateWhen { false }
}

// Generates the Kotlin bindings (package app.rapport.ffi, see
// bindings/uniffi.toml) with the workspace's own uniffi-bindgen.
val generateUniffiBindings by tasks.registering(Exec::class) {
    group = "rust"
    description = "Generates the Kotlin bindings with uniffi-bindgen."
    dependsOn(cargoBuildHost)
    workingDir = workspaceDir
    val outDir = uniffiKotlinDir.get().asFile
    inputs.file(hostLibrary)
    inputs.file(File(workspaceDir, "bindings/uniffi.toml"))
    outputs.dir(outDir)
    doFirst { delete(outDir) }
    commandLine(
        "cargo", "uniffi-bindgen", "generate", "--no-format",
        "--library", hostLibrary.path, "--language", "kotlin", "--out-dir", outDir.path,
    )
}

android {
    namespace = "app.rapport"
    compileSdk = 36

    defaultConfig {
        minSdk = minSdkVersion
        consumerProguardFiles("consumer-rules.pro")
        ndk {
            abiFilters += androidAbis
        }
    }

    sourceSets.getByName("main") {
        java.srcDir(uniffiKotlinDir)
        jniLibs.srcDir(jniLibsDir)
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    packaging {
        jniLibs {
            // Already stripped by the release-mobile profile.
            keepDebugSymbols += "**/librapport_ffi.so"
        }
    }
}

kotlin {
    compilerOptions {
        jvmTarget.set(JvmTarget.JVM_17)
    }
}

tasks.named("preBuild") {
    dependsOn(generateUniffiBindings, cargoNdk)
}

dependencies {
    // The AAR flavour of JNA carries libjnidispatch.so for every Android ABI.
    implementation("net.java.dev.jna:jna:${libs.versions.jna.get()}@aar")
    api(libs.kotlinx.coroutines.core)
}
