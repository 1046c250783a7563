package dev.reach.spi;

import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.NoSuchFileException;

import static org.assertj.core.api.Assertions.assertThat;

class FailuresTest {
    @Test
    void classNamesInTheJdksMessagesAreLeftOut() {
        assertThat(Failures.text(new IOException("java.net.ConnectException: Connection refused"))).isEqualTo("Connection refused");
        assertThat(Failures.text(new SSLHandshakeException("(certificate_unknown) PKIX path building failed: "
                + "sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target")))
                .isEqualTo("no chain of certificates leads from it to a trusted CA");
    }

    @Test
    void anAddressTheJdkWithholdsIsWordsNotAnObjectsHash() {
        assertThat(Failures.text(new java.net.ConnectException("Connection refused: jdk.internal.util.Exceptions$NonSocketInfo@1b6d3586")))
                .isEqualTo("Connection refused: the address");
    }

    @Test
    void anExceptionWithoutAMessageSaysWhatItsKindMeansOrWhatItsCauseSaid() {
        assertThat(Failures.text(new ConnectException())).isEqualTo("the connection failed");
        assertThat(Failures.text(new IOException(null, new ClosedChannelException()))).isEqualTo("the connection was closed");
        assertThat(Failures.text(new IOException(null, new IOException("Broken pipe")))).isEqualTo("Broken pipe");
        assertThat(Failures.text(new IllegalStateException())).isEqualTo("unexpected illegal state error");
    }

    @Test
    void aFileThatCannotBeReadIsNamedWithWhy() {
        assertThat(Failures.text(new NoSuchFileException("/etc/resolv.conf"))).isEqualTo("/etc/resolv.conf: no such file");
    }
}
