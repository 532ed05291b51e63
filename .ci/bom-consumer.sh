#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Checks that loopwire-bom works for a user: deploys the published modules (and their parent)
# to a throwaway file repository, then builds and runs a tiny consumer project that imports the
# BOM and names loopwire modules without versions.
#   bash .ci/bom-consumer.sh
# Nothing is written to ~/.m2/repository: both builds have their own local repository and read
# everything but loopwire from ~/.m2/repository through a file mirror (so it also runs offline).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cache=${MAVEN_REPO:-$HOME/.m2/repository}

published=loopwire-bom
for artifact in $(sed -n '/<dependencyManagement>/,/<\/dependencyManagement>/s:.*<artifactId>\(.*\)</artifactId>.*:\1:p' loopwire-bom/pom.xml); do
  [ "$artifact" = loopwire-bom ] && continue
  [ -f "$artifact/pom.xml" ] && published="$published,$artifact"
done
version=$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' loopwire-bom/pom.xml)

cat > "$work/settings.xml" <<XML
<settings>
  <mirrors>
    <!-- Everything but loopwire itself comes from the machine's Maven cache, read-only. -->
    <mirror>
      <id>machine-cache</id>
      <mirrorOf>*,!loopwire-test</mirrorOf>
      <url>file://$cache</url>
    </mirror>
  </mirrors>
</settings>
XML
echo "deploying $published ($version) to $work/deployed"
# Its own local repository too: deploy would otherwise cache the test repository's metadata in
# ~/.m2/repository.
mvn -B -ntp -q -s "$work/settings.xml" -Dmaven.repo.local="$work/build-repo" deploy -DskipTests \
  -Dmaven.install.skip=true -pl "$published" -am \
  -DaltDeploymentRepository="loopwire-test::file://$work/deployed" > "$work/deploy.log" 2>&1 \
  || { tail -40 "$work/deploy.log" >&2; exit 2; }

mkdir -p "$work/consumer/src/main/java/consumer"
cat > "$work/consumer/pom.xml" <<XML
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>bom-consumer</artifactId>
  <version>1</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <repositories>
    <repository>
      <id>loopwire-test</id>
      <url>file://$work/deployed</url>
      <snapshots><enabled>true</enabled></snapshots>
    </repository>
  </repositories>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>dev.loopwire</groupId>
        <artifactId>loopwire-bom</artifactId>
        <version>$version</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>dev.loopwire</groupId>
      <artifactId>transport-udp</artifactId>
    </dependency>
    <dependency>
      <groupId>dev.loopwire</groupId>
      <artifactId>loop-selector</artifactId>
    </dependency>
    <dependency>
      <groupId>dev.loopwire</groupId>
      <artifactId>loop-iocp-jna</artifactId>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
      <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.16.0</version></plugin>
      <plugin><artifactId>maven-dependency-plugin</artifactId><version>3.8.1</version></plugin>
    </plugins>
  </build>
</project>
XML
cat > "$work/consumer/src/main/java/consumer/Main.java" <<'JAVA'
package consumer;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.udp.Udp;

public class Main {
    public static void main(String[] args) {
        for (String kind : new String[] {"selector", "completion"}) {
            try (EventLoop loop = EventLoops.open(kind)) {
                System.out.println(kind + ": " + loop.name() + " resolves UDP to "
                        + Transports.resolve(loop, Udp.BIND).getClass().getName());
            } catch (IllegalStateException unavailable) {
                System.out.println(kind + ": " + unavailable.getMessage());
            }
        }
    }
}
JAVA
cd "$work/consumer"
mvn -B -ntp -q -s "$work/settings.xml" -Dmaven.repo.local="$work/repo" compile \
  dependency:build-classpath -Dmdep.outputFile="$work/classpath.txt" > "$work/consumer.log" 2>&1 \
  || { tail -40 "$work/consumer.log" >&2; exit 1; }
echo "consumer resolved through the BOM:"
tr ':' '\n' < "$work/classpath.txt" | sed "s:^$work/repo/::"; echo
java -cp "target/classes:$(cat "$work/classpath.txt")" consumer.Main
echo "bom-consumer: OK"
