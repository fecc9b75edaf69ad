# mua-shell through a real terminal (a pty) against a real mua-server; included
# from tests/integration/CMakeLists.txt.
if(TARGET mua-shell AND TARGET mua-server AND TARGET mua-gen)
  add_test(NAME shell_integration
    COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/shell_test.py
            $<TARGET_FILE:mua-shell> $<TARGET_FILE:mua-server> $<TARGET_FILE:mua-gen>)
  set_tests_properties(shell_integration PROPERTIES TIMEOUT 300)
endif()
