# lit configuration for attnc: IR, spec and emitted-code tests run through attn-opt and attnc.
import os

import lit.formats

config.name = "attnc"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir", ".json", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = config.attnc_test_exec_root
config.excludes = ["unit", "host", "Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]

# Tools first on PATH: ours, then LLVM's FileCheck / not / split-file.
config.environment["PATH"] = os.pathsep.join(
    [config.attnc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
config.substitutions.append(("%attnc_src", config.attnc_source_dir))
config.substitutions.append(("%specs", os.path.join(config.attnc_source_dir, "specs")))
# The nvcc the build found, for tests that wrap it.
config.substitutions.append(("%nvcc", config.nvcc))
