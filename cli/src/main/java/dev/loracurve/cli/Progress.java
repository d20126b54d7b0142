package dev.loracurve.cli;

import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Progress bars on stderr: redrawn in place on a terminal, a line every 10 s in logs. */
final class Progress {
    private Progress() {}

    static ProgressBar bar(String task, long max) {
        ProgressBarBuilder b =
                new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII);
        if (System.console() == null) { // a log file: no carriage-return redraws
            b.setConsumer(new DelegatingProgressBarConsumer(System.err::println))
                    .setUpdateIntervalMillis(10_000);
        } else {
            b.setUpdateIntervalMillis(500).continuousUpdate();
        }
        return b.build();
    }
}
