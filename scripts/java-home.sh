# Sourced by gpuop's scripts: sets JAVA_HOME to a JDK 25 (Temurin preferred) or fails with what to install.
if [ -n "${JAVA_HOME:-}" ] && "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25'; then
  :
else
  JAVA_HOME=$(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | head -1 || true)
  if [ -z "$JAVA_HOME" ]; then
    echo "error: no JDK 25 found (looked at \$JAVA_HOME and /usr/lib/jvm/temurin-25*)." >&2
    echo "Install Temurin 25 (https://adoptium.net) or set JAVA_HOME to a JDK 25." >&2
    exit 2
  fi
fi
export JAVA_HOME
