// Local reminders: the weekly PHQ-9 and a follow-up after a rehearsal
// ("how did the conversation go?"). WorkManager keeps them across reboots.
// A notification shows no content: a generic sentence, VISIBILITY_SECRET on
// the lock screen, and nothing from the record (the worker never opens it;
// the Keystore key needs an unlocked phone anyway).
package app.rapport.sample

import android.Manifest
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.os.Build
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import androidx.core.content.ContextCompat
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.ExistingWorkPolicy
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.Worker
import androidx.work.WorkerParameters
import java.util.concurrent.TimeUnit

object Reminders {
    private const val CHANNEL = "reminders"
    private const val WEEKLY = "weekly-phq9"
    private const val FOLLOW_UP = "rehearsal-follow-up"

    /** Once a week from now (kept if already scheduled). */
    fun scheduleWeeklyPhq9(context: Context) {
        val work = PeriodicWorkRequestBuilder<ReminderWorker>(7, TimeUnit.DAYS).setInitialDelay(7, TimeUnit.DAYS).build()
        WorkManager.getInstance(context).enqueueUniquePeriodicWork(WEEKLY, ExistingPeriodicWorkPolicy.KEEP, work)
    }

    /** Two days after the latest rehearsal: time to log how the real conversation went. */
    fun scheduleRehearsalFollowUp(context: Context) {
        val work = OneTimeWorkRequestBuilder<ReminderWorker>().setInitialDelay(2, TimeUnit.DAYS).build()
        WorkManager.getInstance(context).enqueueUniqueWork(FOLLOW_UP, ExistingWorkPolicy.REPLACE, work)
    }

    fun show(context: Context) {
        val granted =
            Build.VERSION.SDK_INT < Build.VERSION_CODES.TIRAMISU ||
                ContextCompat.checkSelfPermission(context, Manifest.permission.POST_NOTIFICATIONS) == PackageManager.PERMISSION_GRANTED
        if (!granted) return
        val manager = context.getSystemService(NotificationManager::class.java)
        manager.createNotificationChannel(NotificationChannel(CHANNEL, "Reminders", NotificationManager.IMPORTANCE_DEFAULT))
        val open =
            PendingIntent.getActivity(
                context,
                0,
                Intent(context, MainActivity::class.java),
                PendingIntent.FLAG_IMMUTABLE
            )
        val notification =
            NotificationCompat
                .Builder(context, CHANNEL)
                .setSmallIcon(android.R.drawable.ic_popup_reminder)
                // The same words for every reminder: nothing says "PHQ-9", "rehearsal" or a name.
                .setContentTitle("Rapport")
                .setContentText("You have a reminder.")
                .setVisibility(NotificationCompat.VISIBILITY_SECRET)
                .setContentIntent(open)
                .setAutoCancel(true)
                .build()
        @Suppress("MissingPermission") // checked above
        NotificationManagerCompat.from(context).notify(1, notification)
    }
}

class ReminderWorker(context: Context, params: WorkerParameters) : Worker(context, params) {
    override fun doWork(): Result {
        Reminders.show(applicationContext)
        return Result.success()
    }
}
