package dev.gpuop.node.deviceplugin.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The settling rounds' logic against a compiler whose total compile time the test drives: each round adds what the
 * test says, spread over the polls after it, as a real compiler finishes its queue one method at a time.
 */
class JitSettlingTest {

    /** A compiler that, after each round, finishes the round's work in steps of 40 ms of compile time, one per poll. */
    private static final class ScriptedCompiler {
        long total;
        long owed;
        long slept;
        final List<Long> rounds;
        int round;

        ScriptedCompiler(List<Long> compileMillisPerRound) {
            this.rounds = new ArrayList<>(compileMillisPerRound);
        }

        long read() {
            return total;
        }

        void sleep(long millis) {
            slept += millis;
            long step = Math.min(owed, 40);
            owed -= step;
            total += step;
        }

        boolean round() {
            owed += round < rounds.size() ? rounds.get(round) : 0;
            round++;
            return true;
        }
    }

    @Test
    void roundsGoOnUntilOneCompilesNothingAndEachRoundsCompileTimeIsReported() throws Exception {
        ScriptedCompiler jit = new ScriptedCompiler(List.of(900L, 300L, 120L, 1L));
        JitSettling.Outcome o = new JitSettling(jit::read, jit::sleep).run(jit::round, 16);
        assertThat(o.end()).isEqualTo(JitSettling.End.SETTLED);
        assertThat(o.rounds()).isEqualTo(4);
        assertThat(o.compileMillis()).containsExactly(900L, 300L, 120L, 1L);
    }

    @Test
    void aCompilerThatNeverGoesQuietStopsAtTheMostRoundsAllowed() throws Exception {
        ScriptedCompiler jit = new ScriptedCompiler(List.of(500L, 500L, 500L, 500L, 500L));
        JitSettling.Outcome o = new JitSettling(jit::read, jit::sleep).run(jit::round, 3);
        assertThat(o.end()).isEqualTo(JitSettling.End.MOST_ROUNDS);
        assertThat(o.rounds()).isEqualTo(3);
    }

    @Test
    void aRoundThatReportsTheServerGoneEndsTheSettlingUnsettled() throws Exception {
        ScriptedCompiler jit = new ScriptedCompiler(List.of(500L));
        int[] calls = {0};
        JitSettling.Outcome o = new JitSettling(jit::read, jit::sleep).run(() -> ++calls[0] < 2 && jit.round(), 16);
        assertThat(o.end()).isEqualTo(JitSettling.End.SERVER_GONE);
        assertThat(o.rounds()).isEqualTo(1);
        assertThat(calls[0]).isEqualTo(2);
    }

    /** A wait ends once the total stood still for two polls, not at the first poll without a finished compilation. */
    @Test
    void theWaitLastsUntilTheCompilersTotalStandsStill() throws Exception {
        ScriptedCompiler jit = new ScriptedCompiler(List.of());
        jit.owed = 200;
        long total = new JitSettling(jit::read, jit::sleep).awaitQuiet();
        assertThat(total).isEqualTo(200);
        // five polls to finish 200 ms in steps of 40, two more that saw no change
        assertThat(jit.slept).isEqualTo(700);
    }

    @Test
    void aCompilerThatNeverStopsIsWaitedForAtMostFiveSeconds() throws Exception {
        long[] total = {0};
        long[] slept = {0};
        JitSettling s = new JitSettling(() -> total[0], ms -> {
            slept[0] += ms;
            total[0]++;
        });
        s.awaitQuiet();
        assertThat(slept[0]).isEqualTo(5_000);
    }

    @Test
    void thisJvmReportsItsCompileTime() {
        // the agent's JVM (HotSpot with its compilers) must give the measure, or the warm-up makes no settling rounds
        assertThat(JitSettling.ofThisJvm()).isNotNull();
    }
}
