// Sample app: Compose screens over the Rapport library (app.rapport only). Android specifics
// (activities, keystore, lifecycle) belong here, not in ../lib.
import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}

android {
    namespace = "app.rapport.sample"
    compileSdk = 36

    defaultConfig {
        applicationId = "app.rapport.sample"
        minSdk = 26
        targetSdk = 36
        versionCode = 1
        versionName = "0.1.0"
    }

    buildFeatures {
        compose = true
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin {
    compilerOptions {
        jvmTarget.set(JvmTarget.JVM_17)
    }
}

dependencies {
    implementation(project(":lib"))
    implementation(libs.kotlinx.coroutines.android)
    implementation(platform(libs.compose.bom))
    implementation(libs.compose.ui)
    implementation(libs.compose.material3)
    implementation(libs.activity.compose)
    implementation(libs.lifecycle.viewmodel.compose)
    implementation(libs.lifecycle.runtime.compose)
    // BiometricPrompt (the app lock; brings androidx.fragment for FragmentActivity).
    implementation(libs.biometric)
    // The reminders.
    implementation(libs.work.runtime)
    implementation(libs.zxing.core)
    implementation(libs.code.scanner)
}
