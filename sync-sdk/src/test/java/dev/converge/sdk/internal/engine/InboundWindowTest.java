package dev.converge.sdk.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.internal.net.Transport;
import dev.converge.sdk.internal.sync.Event;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The bound on received, unhandled frames ({@link InboundWindow}): a reader that outruns the engine
 * waits instead of queueing without end, every frame still arrives in order, and a reader waiting
 * on a session that ended gives up.
 */
class InboundWindowTest {

  private static final ProtocolCodec CODEC = new ProtocolCodec();

  /** A transport whose one session is driven by the test: it hands back the listener. */
  private static final class HeldTransport implements Transport {
    final AtomicReference<Listener> listener = new AtomicReference<>();

    @Override
    public Session open(URI uri, String token, Listener listener) {
      this.listener.set(listener);
      return new Session() {
        @Override
        public boolean send(String text) {
          return true;
        }

        @Override
        public void close(int code, String reason) {}
      };
    }
  }

  @Test
  void aFrameTakesItsLengthOfTheWindow_andOneLargerThanTheWindowPassesAlone() {
    InboundWindow window = new InboundWindow(1_000);
    assertThat(window.weight(10)).isEqualTo(10);
    assertThat(window.weight(0)).isEqualTo(1);
    assertThat(window.weight(50_000)).isEqualTo(1_000);
    assertThat(window.enter(window.weight(50_000), () -> false)).isTrue();
    assertThat(window.available()).isZero();
    // Full: a waiting reader whose session ended gives up and takes nothing.
    assertThat(window.enter(1, () -> true)).isFalse();
    window.leave(1_000);
    assertThat(window.available()).isEqualTo(1_000);
  }

  @Test
  void aReaderFasterThanTheEngine_waits_andEveryFrameArrivesInOrder() throws Exception {
    HeldTransport transport = new HeldTransport();
    List<Event> received = new ArrayList<>();
    SessionDriver driver =
        new SessionDriver(transport, CODEC, URI.create("ws://127.0.0.1:1/v1/sync"), received::add);
    // The engine: one thread that handles posted tasks only when the test lets it.
    LinkedBlockingQueue<Runnable> engineQueue = new LinkedBlockingQueue<>();
    driver.open("token", engineQueue::add);
    Transport.Listener listener = transport.listener.get();

    String frame = CODEC.encode(new Message.Synced(0, List.of()));
    int frames = (InboundWindow.MAX_CHARS / frame.length()) * 3;
    AtomicInteger handedOver = new AtomicInteger();
    ExecutorService reader = Executors.newSingleThreadExecutor();
    CountDownLatch readerDone = new CountDownLatch(1);
    reader.execute(
        () -> {
          for (int i = 0; i < frames; i++) {
            listener.onText(frame);
            handedOver.incrementAndGet();
          }
          readerDone.countDown();
        });

    // The engine does nothing: the reader stops at the window, not at the end of the stream.
    assertThat(readerDone.await(1, TimeUnit.SECONDS)).isFalse();
    int atTheWindow = handedOver.get();
    assertThat(atTheWindow).isEqualTo(InboundWindow.MAX_CHARS / frame.length());
    assertThat(engineQueue).hasSize(atTheWindow);

    // The engine catches up: the reader goes on, and everything arrives.
    while (readerDone.getCount() > 0 || !engineQueue.isEmpty()) {
      Runnable task = engineQueue.poll(100, TimeUnit.MILLISECONDS);
      if (task != null) {
        task.run();
      }
    }
    reader.shutdown();
    assertThat(received).hasSize(frames).allMatch(e -> e instanceof Event.Received);
  }

  @Test
  void aReaderWaitingOnASessionThatEnded_givesUp() throws Exception {
    HeldTransport transport = new HeldTransport();
    SessionDriver driver =
        new SessionDriver(transport, CODEC, URI.create("ws://127.0.0.1:1/v1/sync"), e -> {});
    LinkedBlockingQueue<Runnable> engineQueue = new LinkedBlockingQueue<>();
    driver.open("token", engineQueue::add);
    Transport.Listener listener = transport.listener.get();
    String big = "x".repeat(InboundWindow.MAX_CHARS);
    listener.onText(big); // fills the window
    CountDownLatch secondReturned = new CountDownLatch(1);
    Thread reader =
        new Thread(
            () -> {
              listener.onText(big);
              secondReturned.countDown();
            });
    reader.start();
    assertThat(secondReturned.await(300, TimeUnit.MILLISECONDS)).isFalse();
    driver.close(1000, "done"); // the engine ends the session
    assertThat(secondReturned.await(5, TimeUnit.SECONDS)).isTrue();
    // The dropped frame took nothing; the first one's task gives back its share.
    assertThat(engineQueue).hasSize(1);
    engineQueue.poll().run();
    reader.join();
  }
}
